import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import type { PollTallies } from '@presently/protocol';
import { validatePollRequest } from '@presently/protocol/validation';
import type { Response } from 'express';
import { ApiKeyGuard } from './api-key.guard';
import { badRequest, PresenceHttpError } from './http-error';
import { PollService } from '../polls/poll.service';

/**
 * The operator's polls API (`x-api-key` required): `POST /api/polls`
 * `{ poll }` declares a poll (201 when new, 200 when it already was; 409
 * `LIMIT_EXCEEDED` past the most polls); `POST /api/polls/close` `{ poll }`
 * closes one (200 with its final tallies; 404 when it is not declared).
 */
@Controller('api/polls')
@UseGuards(ApiKeyGuard)
export class PollsController {
  constructor(private readonly polls: PollService) {}

  @Post()
  async declare(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<{ ok: true; poll: string; created: boolean }> {
    const { poll } = valid(body);
    const result = await this.polls.declare(poll);
    if (!result.ok) throw new PresenceHttpError(HttpStatus.CONFLICT, result.error.code, result.error.message);
    const created = result.declared === 'created';
    response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return { ok: true, poll, created };
  }

  @Post('close')
  @HttpCode(HttpStatus.OK)
  async close(@Body() body: unknown): Promise<{ ok: true } & PollTallies> {
    const { poll } = valid(body);
    const final = await this.polls.close(poll);
    if (!final) throw new PresenceHttpError(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'no such declared poll');
    return { ok: true, ...final };
  }
}

function valid(body: unknown) {
  const request = validatePollRequest(body);
  if (!request.ok) throw badRequest(request.error.message);
  return request.value;
}

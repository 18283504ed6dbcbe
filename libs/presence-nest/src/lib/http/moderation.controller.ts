import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { validateDisconnectRequest } from '@presently/protocol/validation';
import { ApiKeyGuard } from './api-key.guard';
import { badRequest } from './http-error';
import { Moderation } from '../moderation/moderation';

/**
 * `POST /api/disconnect` `{ userId }`: every socket of that user, on every
 * process, is disconnected at once and nothing of it is held; with
 * `{ userId, room }` the user is taken out of that room only (see
 * {@link Moderation}). Requires `x-api-key` ({@link ApiKeyGuard}, 401), then a
 * valid body (400). Answers 200 `{ ok: true, disconnected }` or
 * `{ ok: true, removed }`: the sockets acted on (0 when the user is not there).
 */
@Controller('api')
@UseGuards(ApiKeyGuard)
export class ModerationController {
  constructor(private readonly moderation: Moderation) {}

  @Post('disconnect')
  @HttpCode(HttpStatus.OK)
  async disconnect(@Body() body: unknown): Promise<{ ok: true; disconnected: number } | { ok: true; removed: number }> {
    const request = validateDisconnectRequest(body);
    if (!request.ok) throw badRequest(request.error.message);
    const sockets = await this.moderation.apply(request.value);
    return request.value.room === undefined ? { ok: true, disconnected: sockets } : { ok: true, removed: sockets };
  }
}

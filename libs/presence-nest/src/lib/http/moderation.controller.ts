import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { validateDisconnectRequest } from '@presently/protocol/validation';
import { ApiKey } from './api-key';
import { badRequest } from './http-error';
import { Moderation } from '../moderation/moderation';

/**
 * `POST /api/disconnect` `{ userId }`: every socket of that user, on every
 * process, is disconnected at once and nothing of it is held; with
 * `{ userId, room }` the user is taken out of that room only (see
 * {@link Moderation}). Requires `x-api-key` ({@link ApiKey}, 401), then a
 * valid body (400). Answers 200 `{ ok: true, disconnected }` or
 * `{ ok: true, removed }`: the sockets acted on (0 when the user is not there).
 */
@Controller('api')
export class ModerationController {
  constructor(
    private readonly apiKey: ApiKey,
    private readonly moderation: Moderation,
  ) {}

  @Post('disconnect')
  @HttpCode(HttpStatus.OK)
  async disconnect(@Headers('x-api-key') apiKey: unknown, @Body() body: unknown): Promise<{ ok: true; disconnected: number } | { ok: true; removed: number }> {
    this.apiKey.require(apiKey);
    const request = validateDisconnectRequest(body);
    if (!request.ok) throw badRequest(request.error.message);
    const sockets = await this.moderation.apply(request.value);
    return request.value.room === undefined ? { ok: true, disconnected: sockets } : { ok: true, removed: sockets };
  }
}

import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { validateEmitRequest } from '@presently/protocol/validation';
import { ApiKey } from './api-key';
import { badRequest } from './http-error';
import { PresenceEmitter } from '../hooks/presence-emitter';

/**
 * `POST /api/emit`: server-side business logic notifying clients. The
 * `x-api-key` header must match `API_KEY` ({@link ApiKey}); without a
 * configured key every call is refused. Answers 202 `{ ok: true }` once the
 * event is handed to Socket.IO.
 */
@Controller('api')
export class EmitController {
  constructor(
    private readonly apiKey: ApiKey,
    private readonly emitter: PresenceEmitter,
  ) {}

  @Post('emit')
  @HttpCode(HttpStatus.ACCEPTED)
  emit(@Headers('x-api-key') apiKey: unknown, @Body() body: unknown): { ok: true } {
    this.apiKey.require(apiKey);
    const request = validateEmitRequest(body);
    if (!request.ok) throw badRequest(request.error.message);
    this.emitter.emit(request.value.to, request.value.event, request.value.data);
    return { ok: true };
  }
}

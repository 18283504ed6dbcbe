import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { validateEmitRequest } from '@presently/protocol/validation';
import { badRequest } from './http-error';
import { ApiKeyGuard } from './api-key.guard';
import { PresenceEmitter } from '../hooks/presence-emitter';

/**
 * `POST /api/emit`: server-side business logic notifying clients. The
 * `x-api-key` header must match `API_KEY` ({@link ApiKeyGuard}); without a
 * configured key every call is refused. Answers 202 `{ ok: true }` once the
 * event is handed to Socket.IO.
 */
@Controller('api')
@UseGuards(ApiKeyGuard)
export class EmitController {
  constructor(private readonly emitter: PresenceEmitter) {}

  @Post('emit')
  @HttpCode(HttpStatus.ACCEPTED)
  emit(@Body() body: unknown): { ok: true } {
    const request = validateEmitRequest(body);
    if (!request.ok) throw badRequest(request.error.message);
    this.emitter.emit(request.value.to, request.value.event, request.value.data);
    return { ok: true };
  }
}

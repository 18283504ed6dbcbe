import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { validateEmitRequest } from '@presently/protocol/validation';
import { badRequest, PresenceHttpError } from './http-error';
import { PresenceEmitter } from '../hooks/presence-emitter';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `POST /api/emit`: server-side business logic notifying clients. The
 * `x-api-key` header must match `API_KEY` (compared in constant time, over
 * digests so that lengths leak nothing); without a configured key every call
 * is refused. Answers 202 `{ ok: true }` once the event is handed to Socket.IO.
 */
@Controller('api')
export class EmitController {
  private readonly key: Buffer | null;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    private readonly emitter: PresenceEmitter,
  ) {
    this.key = options.apiKey ? digest(options.apiKey) : null;
  }

  @Post('emit')
  @HttpCode(HttpStatus.ACCEPTED)
  emit(@Headers('x-api-key') apiKey: unknown, @Body() body: unknown): { ok: true } {
    if (!this.accepts(apiKey)) throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'a valid x-api-key header is required');
    const request = validateEmitRequest(body);
    if (!request.ok) throw badRequest(request.error.message);
    this.emitter.emit(request.value.to, request.value.event, request.value.data);
    return { ok: true };
  }

  private accepts(apiKey: unknown): boolean {
    if (!this.key || typeof apiKey !== 'string' || apiKey === '') return false;
    return timingSafeEqual(digest(apiKey), this.key);
  }
}

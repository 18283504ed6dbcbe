import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { addressKey, badRequest, clientAddress, PresenceHttpError } from '@presently/presence-nest';
import { nameSchema, validate } from '@presently/protocol/validation';
import type { Request } from 'express';
import { z } from 'zod';
import { DemoTokens } from './demo-tokens';

/** The route, open to anyone (no API key) while demo tokens are on. */
export const DEMO_TOKEN_PATH = '/api/demo/token';

const requestSchema = z.object({ name: nameSchema });

/**
 * `POST /api/demo/token { name }` → `{ token }`: a session token for a new
 * demo user ({@link DemoTokens}). Served only with `DEMO_TOKENS=1`; a bad
 * `name` is 400, an address past its rate 429 `RATE_LIMITED`.
 */
@Controller()
export class DemoTokenController {
  constructor(private readonly tokens: DemoTokens) {}

  @Post(DEMO_TOKEN_PATH)
  @HttpCode(HttpStatus.OK)
  async token(@Body() body: unknown, @Req() request: Request): Promise<{ token: string }> {
    // The address as Express knows it (behind TRUST_PROXY proxies, the client's); every request counts.
    if (!this.tokens.allows(addressKey(clientAddress(request.ip, undefined, 0)))) {
      throw new PresenceHttpError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', 'too many demo tokens from this address');
    }
    const valid = validate(requestSchema, body);
    if (!valid.ok) throw badRequest(valid.error.message);
    return { token: await this.tokens.mint(valid.value.name) };
  }
}

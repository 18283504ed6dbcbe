import { randomBytes } from 'node:crypto';
import { HandshakeLimiter, systemClock, type Clock } from '@presently/presence-core';
import { SignJWT } from 'jose';

/** How long a demo token lives: short, the demo renews it with `session:token`. */
export const DEMO_TOKEN_TTL_S = 15 * 60;
/** Demo tokens a client address may mint: one a second, ten at once. */
export const DEMO_TOKENS_PER_S = 1;
export const DEMO_TOKEN_BURST = 10;

/**
 * Session tokens for the demo (`DEMO_TOKENS=1`, as `npm start` runs it):
 * anyone may sign in under a name of their choosing, without an identity
 * provider, to see signing in and out without reconnecting. Each token is
 * HS256 with the server's `JWT_SECRET`, names a new user (`sub` `u_` and 16
 * random characters, never an anonymous `a_` id) with the given `name` and
 * no roles, and expires after {@link DEMO_TOKEN_TTL_S}. Minting is limited
 * per client address ({@link DEMO_TOKENS_PER_S}, {@link DEMO_TOKEN_BURST}).
 *
 * @example
 * const demo = new DemoTokens(secret);
 * if (demo.allows(address)) return { token: await demo.mint('Ada') };
 */
export class DemoTokens {
  private readonly key: Uint8Array;
  private readonly limiter: HandshakeLimiter;

  constructor(
    secret: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.key = new TextEncoder().encode(secret);
    this.limiter = new HandshakeLimiter(DEMO_TOKENS_PER_S, DEMO_TOKEN_BURST, clock);
  }

  /** Takes one token of `address`'s budget; false past it. */
  allows(address: string): boolean {
    return this.limiter.take(address);
  }

  /** A token for a new demo user named `name`. */
  mint(name: string): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(`u_${randomBytes(12).toString('base64url')}`)
      .setIssuedAt(now)
      .setExpirationTime(now + DEMO_TOKEN_TTL_S)
      .sign(this.key);
  }
}

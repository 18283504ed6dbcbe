import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_MAX_TOKEN_TTL_S, TOKEN_CLOCK_SKEW_S } from '@presently/protocol';
import { isValidClientId, tokenClaimsSchema, type TokenClaims } from '@presently/protocol/validation';
import { systemClock, type Clock, type Identity } from '@presently/presence-core';
import { jwtVerify } from 'jose';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { AnonymousIds } from './anonymous-ids';

/** Tokens longer than this are refused without being parsed. */
const MAX_TOKEN_LENGTH = 8192;

export class UnauthorizedError extends Error {
  constructor(reason: string) {
    super(reason);
  }
}

/**
 * Establishes who a connection is: its clientId (the one it brings when well
 * formed, a new one otherwise) and, from an HS256 session token, its user;
 * without a token, an anonymous visitor whose public userId is derived from
 * its clientId ({@link AnonymousIds}), never the clientId itself.
 * Anything wrong with a token given (bad signature, other algorithm, expired
 * beyond the allowed skew, an `exp` further than `maxTokenTtlS` ahead,
 * malformed claims, or no secret configured) throws
 * {@link UnauthorizedError}; no token at all means an anonymous visitor.
 * Every place that takes a token (the handshake, the HTTP `Bearer` header)
 * verifies it here.
 */
@Injectable()
export class SessionAuthenticator {
  private readonly key: Uint8Array | null;
  private readonly maxTtlS: number;
  private readonly clock: Clock;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    private readonly anonymousIds: AnonymousIds,
  ) {
    this.key = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : null;
    this.maxTtlS = options.maxTokenTtlS ?? DEFAULT_MAX_TOKEN_TTL_S;
    this.clock = options.clock ?? systemClock;
  }

  async identify(clientIdInput: unknown, token: unknown): Promise<Identity> {
    if (token === undefined || token === null || token === '') return this.anonymous(clientIdInput);
    const clientId = isValidClientId(clientIdInput) ? clientIdInput : newClientId();
    return signedIn(clientId, await this.verify(token));
  }

  /**
   * Who a connected socket of `clientId` becomes with `token`
   * (`session:token`): the token's user, or for `null` an anonymous visitor
   * again. Unlike a handshake's, an empty token is a bad one.
   */
  async switchTo(clientId: string, token: string | null): Promise<Identity> {
    if (token === null) return this.anonymous(clientId);
    if (token === '') throw new UnauthorizedError('empty token');
    return signedIn(clientId, await this.verify(token));
  }

  /** An anonymous visitor with the clientId it brings when well formed, a new one otherwise. */
  anonymous(clientIdInput: unknown): Identity {
    const clientId = isValidClientId(clientIdInput) ? clientIdInput : newClientId();
    return { clientId, userId: this.anonymousIds.of(clientId), name: null, roles: [], authenticated: false };
  }

  /** Verifies a token and answers its claims. */
  async verify(token: unknown): Promise<TokenClaims> {
    if (!this.key) throw new UnauthorizedError('tokens are not accepted: no secret is configured');
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      throw new UnauthorizedError('malformed token');
    }
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        clockTolerance: TOKEN_CLOCK_SKEW_S,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw new UnauthorizedError(`invalid token: ${(error as Error).message}`);
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('malformed token claims');
    // A far `exp` (1e308) would make a leaked token good forever.
    if (claims.data.exp > this.clock.now() / 1000 + this.maxTtlS) throw new UnauthorizedError(`token expires more than ${this.maxTtlS} s from now`);
    return claims.data;
  }
}

/** A signed-in identity from verified claims. */
function signedIn(clientId: string, claims: TokenClaims): Identity {
  return {
    clientId,
    userId: claims.sub,
    name: claims.name ?? claims.sub,
    roles: claims.roles ?? [],
    authenticated: true,
    // The moment a handshake would refuse this token.
    expiresAt: (claims.exp + TOKEN_CLOCK_SKEW_S) * 1000,
  };
}

/** A new clientId: 128 random bits, base64url (22 characters). */
export function newClientId(): string {
  return randomBytes(16).toString('base64url');
}

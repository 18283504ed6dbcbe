import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PresenceHttpError } from './http-error';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

const UNAUTHORIZED = { code: 'UNAUTHORIZED', message: 'a valid x-api-key header is required' } as const;

/**
 * The check of the `x-api-key` header that the operator endpoints
 * (`POST /api/emit`, `POST /api/disconnect`) require: it must match
 * `API_KEY`, compared in constant time over digests so that lengths leak
 * nothing; without a configured key every call is refused.
 *
 * @example
 * const key = new ApiKey(process.env.API_KEY);
 * key.require(request.headers['x-api-key']); // throws a 401 PresenceHttpError
 */
export class ApiKey {
  private readonly key: Buffer | null;

  constructor(apiKey: string | undefined) {
    this.key = apiKey ? digest(apiKey) : null;
  }

  accepts(apiKey: unknown): boolean {
    if (!this.key || typeof apiKey !== 'string' || apiKey === '') return false;
    return timingSafeEqual(digest(apiKey), this.key);
  }

  /** Throws the protocol's 401 unless `apiKey` is the configured key. */
  require(apiKey: unknown): void {
    if (!this.accepts(apiKey)) throw new PresenceHttpError(HttpStatus.UNAUTHORIZED, UNAUTHORIZED.code, UNAUTHORIZED.message);
  }

  /**
   * Express middleware answering 401 before anything else runs: mounted
   * ahead of the body parser (`app.use(path, key.middleware())` before
   * `listen`), a call without the key never has its body read or parsed.
   */
  middleware() {
    return (request: Request, response: Response, next: NextFunction) => {
      if (this.accepts(request.headers['x-api-key'])) return next();
      response.status(HttpStatus.UNAUTHORIZED).json({ error: UNAUTHORIZED });
    };
  }
}

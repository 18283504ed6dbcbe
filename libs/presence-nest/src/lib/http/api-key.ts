import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import { PresenceHttpError } from './http-error';

/** The header that carries the operator's key. */
export const API_KEY_HEADER = 'x-api-key';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The operator's `API_KEY`, checked in constant time over digests (so that
 * lengths leak nothing). Without a configured key nothing is accepted.
 *
 * @example
 * const key = new ApiKey(process.env.API_KEY);
 * key.accepts(request.headers['x-api-key']); // true or false
 */
export class ApiKey {
  private readonly digest: Buffer | null;

  constructor(key: string | undefined) {
    this.digest = key ? digest(key) : null;
  }

  accepts(presented: unknown): boolean {
    if (!this.digest || typeof presented !== 'string' || presented === '') return false;
    return timingSafeEqual(digest(presented), this.digest);
  }
}

export const unauthorizedOperator = () => new PresenceHttpError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', `a valid ${API_KEY_HEADER} header is required`);

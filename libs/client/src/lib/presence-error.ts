import type { ErrorBody } from '@presently/protocol';
import type { PresenceErrorShape } from './types';

export type PresenceErrorCode = PresenceErrorShape['code'];

/**
 * Why a command failed: the server's ack error (`BAD_REQUEST`, `FORBIDDEN`,
 * `LIMIT_EXCEEDED`, ...), `DISCONNECTED` when the client was closed (or the
 * connection dropped under a command that cannot be sent twice), or
 * `TIMEOUT` when a sent command got no ack in time.
 *
 * @example
 * try {
 *   await client.join('private:staff');
 * } catch (error) {
 *   if (error instanceof PresenceError && error.code === 'FORBIDDEN') showSignIn();
 * }
 */
export class PresenceError extends Error implements PresenceErrorShape {
  override readonly name = 'PresenceError';

  constructor(
    readonly code: PresenceErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The error an ack's `{ ok: false, error }` stands for; a malformed ack is `INTERNAL`. */
  static fromAck(event: string, reply: unknown): PresenceError {
    const error = (reply as { error?: Partial<ErrorBody> } | null | undefined)?.error;
    if (error && typeof error.code === 'string') return new PresenceError(error.code, error.message ?? error.code);
    return new PresenceError('INTERNAL', `malformed answer to ${event}`);
  }
}

/** Whether `error` is a PresenceError with one of `codes`. */
export function hasCode(error: unknown, ...codes: PresenceErrorCode[]): error is PresenceError {
  return error instanceof PresenceError && codes.includes(error.code);
}

/** A connection problem rather than a refusal: what was asked for stays, the next connection restores it. */
export function transient(error: unknown): boolean {
  return hasCode(error, 'DISCONNECTED', 'TIMEOUT');
}

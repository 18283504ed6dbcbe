/** The error codes an ack can carry (`{ ok: false, error: { code, message } }`). */
export const ErrorCodes = {
  BadRequest: 'BAD_REQUEST',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  LimitExceeded: 'LIMIT_EXCEEDED',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** HTTP answers may also say that a route does not exist. */
export type HttpErrorCode = ErrorCode | 'NOT_FOUND';

export interface ErrorBody<C extends string = ErrorCode> {
  code: C;
  message: string;
}

export interface AckError {
  ok: false;
  error: ErrorBody;
}

export function ackError(code: ErrorCode, message: string): AckError {
  return { ok: false, error: { code, message } };
}

import { HttpException, HttpStatus } from '@nestjs/common';
import type { HttpErrorCode } from '@presently/protocol';

/** An HTTP error in the protocol's shape: `{ error: { code, message } }`. */
export class PresenceHttpError extends HttpException {
  constructor(status: HttpStatus, code: HttpErrorCode, message: string) {
    super({ error: { code, message } }, status);
  }
}

export const badRequest = (message: string) => new PresenceHttpError(HttpStatus.BAD_REQUEST, 'BAD_REQUEST', message);

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Inject, Logger, NotFoundException, Optional } from '@nestjs/common';
import type { HttpErrorCode } from '@presently/protocol';
import type { Request, Response } from 'express';
import { StaticSite } from './static-site';

const CODES: Partial<Record<number, HttpErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'BAD_REQUEST',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'LIMIT_EXCEEDED',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

/**
 * Every HTTP error answers `{ error: { code, message } }`; unexpected ones are
 * logged. A browser asking for a page no route serves gets the web app's
 * `index.html` instead of a 404, so the app's deep links work.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(@Optional() @Inject(StaticSite) private readonly site: StaticSite | null = null) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof NotFoundException && this.site?.handles(host.switchToHttp().getRequest<Request>())) {
      this.site.sendIndex(response);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object') {
        response.status(status).json(body);
        return;
      }
      const code = CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
      response.status(status).json({ error: { code, message: exception.message } });
      return;
    }
    this.logger.error({ msg: 'request failed', error: String((exception as Error)?.stack ?? exception) });
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}

import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { API_KEY_HEADER, ApiKey, unauthorizedOperator } from './api-key';

/**
 * Lets a call through to an operator route (`POST /api/emit`, the polls API)
 * only with the right `x-api-key`; 401 `UNAUTHORIZED` otherwise. The same
 * check runs before the body is parsed when the application installs
 * {@link apiKeyBeforeBody}; this guard keeps the routes closed without it.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly key: ApiKey;

  constructor(@Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions) {
    this.key = new ApiKey(options.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.key.accepts(context.switchToHttp().getRequest<Request>().headers[API_KEY_HEADER])) throw unauthorizedOperator();
    return true;
  }
}

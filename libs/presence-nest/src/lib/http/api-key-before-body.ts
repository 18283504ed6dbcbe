import type { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER, ApiKey, unauthorizedOperator } from './api-key';

/** Methods that read and change nothing: never operator calls. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An Express middleware for the application to install before Nest parses
 * bodies (`app.use(...)` before `listen`): every request under `/api/` that
 * may change something (any method but GET, HEAD, OPTIONS) is an operator
 * call and needs `x-api-key`, checked before its body is read, so that a
 * caller without the key learns 401 and nothing about the parser (a
 * malformed or oversized body included). `open` names the application's
 * own paths under `/api/` that are not operator calls (they check their
 * callers themselves).
 *
 * @example
 * app.use(apiKeyBeforeBody(process.env.API_KEY));
 */
export function apiKeyBeforeBody(apiKey: string | undefined, open: readonly string[] = []) {
  const key = new ApiKey(apiKey);
  const openPaths = new Set(open);
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(request.method) || !request.path.startsWith('/api/') || openPaths.has(request.path)) return next();
    next(key.accepts(request.headers[API_KEY_HEADER]) ? undefined : unauthorizedOperator());
  };
}

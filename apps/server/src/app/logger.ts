import type { LoggerService } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { pino, type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { LogLevel } from './config';

/**
 * The process's logger: one JSON object per line on stdout,
 * `{"level":"info","time":"…","pid":…,"hostname":"…","context":"…","msg":"…",…}`,
 * at the level `LOG_LEVEL` names. At `info` it is quiet: HTTP requests are
 * logged at `debug`, connections are not logged at all.
 */
export function createLogger(level: LogLevel): Pino {
  return pino(
    {
      level,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Written at once: logs are rare at info, and a line logged right before exiting is never lost.
    pino.destination({ fd: 1, sync: true }),
  );
}

/** Every HTTP request, through the same logger, at `debug`. */
export function requestLogging(logger: Pino): RequestHandler {
  return pinoHttp({ logger, useLevel: 'debug', quietReqLogger: true });
}

/** Nest's own start-up chatter, demoted to debug so that info stays quiet. */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger (`LoggerService`) on pino. Built before the application so
 * that even its first lines are JSON. Nest calls it as `log(message, ...params, context?)`:
 * the last string is the context, an object message is merged into the line,
 * an `Error` is logged under `err`, and `error(message, stack, context)` keeps the stack.
 */
export class PresentlyLogger implements LoggerService {
  constructor(private readonly logger: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[], withStack = false): void {
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields['context'] = rest.pop();
    // Nest's `error(message, stack, context)`: the stack is the string before the context.
    if (withStack && rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields['stack'] = rest.pop();
    if (rest.length > 0) fields['params'] = rest;
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

import { Logger, type Params, PinoLogger } from 'nestjs-pino';
import { pino, type Logger as Pino } from 'pino';
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

/** nestjs-pino's parameters: requests go through the same logger, at `debug`. */
export function loggerParams(logger: Pino): Params {
  return { pinoHttp: { logger, useLevel: 'debug', quietReqLogger: true } };
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

/**
 * Nest's logger (`LoggerService`) on pino, through nestjs-pino. Built before
 * the application so that even its first lines are JSON.
 */
export class PresentlyLogger extends Logger {
  static create(params: Params): PresentlyLogger {
    return new PresentlyLogger(new PinoLogger(params), params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

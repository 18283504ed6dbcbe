import type { LoggerService } from '@nestjs/common';
import type { LogLevel } from './config';

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

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
 * One JSON object per line on stdout (errors on stderr):
 * `{"time":…,"level":"info","context":"…","msg":"…",…}`.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly level: LogLevel) {}

  log(message: unknown, context?: string): void {
    this.write(context && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    this.write('error', message, context, stack ? { stack } : undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('error', message, context);
  }

  private write(level: Exclude<LogLevel, 'silent'>, message: unknown, context?: string, extra?: object): void {
    if (RANK[level] > RANK[this.level]) return;
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, context, ...fields, ...extra });
    (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { apiKeyBeforeBody, ConnectionAdmission, isAllowedOrigin, PresenceIoAdapter, type PresenceIoOptions } from '@presently/presence-nest';
import { RedisPresenceStore, type RedisConnection } from '@presently/presence-redis';
import { RedisIoAdapter } from '@presently/presence-redis/nest';
import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import { mountApiDocs } from './api-docs';
import { AppModule } from './app.module';
import type { ServerConfig } from './config';
import { DEMO_TOKEN_PATH } from './demo-token.controller';
import { Lifecycle } from './lifecycle';
import { createLogger, PresentlyLogger, requestLogging } from './logger';
import { StaticSite } from './static-site';

/** Builds the application for a configuration, without listening yet. */
export async function createApp(config: ServerConfig, logger: Pino = createLogger(config.logLevel)): Promise<INestApplication> {
  const site = StaticSite.locate(config.webRoot, __dirname);
  const cluster = config.redis ? createStore(config, config.redis, logger) : undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, site, cluster), {
    logger: new PresentlyLogger(logger),
  });
  app.use(requestLogging(logger));
  if (config.corsOrigins) app.use(refuseOtherOrigins(config.corsOrigins));
  app.enableCors({ origin: config.corsOrigins ?? true });
  // Installed now, it runs before the body parser that Nest adds at start: an operator call
  // (emit, moderation, polls) without the key is refused unread.
  app.use(apiKeyBeforeBody(config.apiKey, config.demoTokens ? [DEMO_TOKEN_PATH] : []));
  if (config.demoTokens) logger.child({ context: 'Presently' }).warn({ path: DEMO_TOKEN_PATH }, 'demo tokens are on: anyone may sign in under any name (DEMO_TOKENS=1, never in production)');
  const ioOptions: PresenceIoOptions = {
    corsOrigins: config.corsOrigins,
    maxHttpBufferSize: config.maxHttpBufferSize,
    connectTimeoutMs: config.connectTimeoutMs,
    // Every Engine.IO session counts against its address from its handshake on.
    admission: app.get(ConnectionAdmission),
  };
  app.useWebSocketAdapter(
    config.redis
      ? new RedisIoAdapter(app, ioOptions, config.redis, `${config.redisPrefix}io`)
      : new PresenceIoAdapter(app, ioOptions),
  );
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  if (config.trustProxy > 0) express.set('trust proxy', config.trustProxy);
  mountApiDocs(app);
  site?.mount(app);
  return app;
}

/** The cluster store of the several-process mode (`REDIS_URL` or Sentinel), logging through the server's logger. */
function createStore(config: ServerConfig, connection: RedisConnection, logger: Pino): RedisPresenceStore {
  const log = logger.child({ context: 'PresenceStore' });
  return new RedisPresenceStore({
    connection,
    prefix: config.redisPrefix,
    heartbeatMs: config.heartbeatMs,
    heartbeatTtlMs: config.heartbeatTtlMs,
    rosterMax: config.rosterMax,
    recentMs: config.recentMs,
    historyPages: config.historyPages,
    log: (level, msg, details) => log[level](details ?? {}, msg),
  });
}

/**
 * With `CORS_ORIGINS` set, an HTTP request from a browser page of another
 * origin is refused (403), as its websocket handshake is: CORS headers alone
 * only stop the page from reading the answer, not the request from acting.
 * Requests without an `Origin` (servers, curl, same-origin navigation) pass.
 */
function refuseOtherOrigins(origins: readonly string[]) {
  return (request: Request, response: Response, next: NextFunction) => {
    if (isAllowedOrigin(request.headers.origin, origins)) return next();
    response.status(403).json({ error: { code: 'FORBIDDEN', message: 'this origin is not allowed' } });
  };
}

/**
 * Stops taking traffic, closes every socket and timer, then exits 0; a
 * shutdown that hangs past `timeoutMs` exits 1.
 */
export function exitOnSignals(app: INestApplication, logger: Pino, timeoutMs: number): void {
  const log = logger.child({ context: 'Presently' });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.get(Lifecycle).ready = false;
    setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ error: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

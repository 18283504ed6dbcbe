import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PresenceIoAdapter } from '@presently/presence-nest';
import { AppModule } from './app.module';
import type { ServerConfig } from './config';
import { JsonLogger } from './json-logger';
import { Lifecycle } from './lifecycle';
import { StaticSite } from './static-site';

/** Builds the application for a configuration, without listening yet. */
export async function createApp(config: ServerConfig, logger = new JsonLogger(config.logLevel)): Promise<INestApplication> {
  const site = StaticSite.locate(config.webRoot, __dirname);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, site), { logger });
  app.enableCors({ origin: config.corsOrigins ?? true });
  app.useWebSocketAdapter(
    new PresenceIoAdapter(app, { corsOrigins: config.corsOrigins, maxHttpBufferSize: config.maxHttpBufferSize }),
  );
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  site?.mount(app);
  return app;
}

/**
 * Stops taking traffic, closes every socket and timer, then exits 0; a
 * shutdown that hangs past `timeoutMs` exits 1.
 */
export function exitOnSignals(app: INestApplication, logger: JsonLogger, timeoutMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: 'shutting down', signal }, 'Presently');
    app.get(Lifecycle).ready = false;
    setTimeout(() => {
      logger.error({ msg: 'shutdown timed out' }, 'Presently');
      process.exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        logger.log({ msg: 'stopped' }, 'Presently');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ msg: 'shutdown failed', error: String(error) }, 'Presently');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

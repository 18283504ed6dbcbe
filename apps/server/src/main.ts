import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './app/config';
import { createApp, exitOnSignals } from './app/create-app';
import { createLogger } from './app/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, logger);
  exitOnSignals(app, logger, config.shutdownTimeoutMs);
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
  const { port } = app.getHttpServer().address() as AddressInfo;
  // The test harness learns the port from this line.
  logger.info({ context: 'Presently', port, url: `http://localhost:${port}` }, 'listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'start-up failed', error: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(1);
});

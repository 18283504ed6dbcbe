import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { apiKeyBeforeBody } from '../lib/http/api-key-before-body';
import { PresenceIoAdapter } from '../lib/socket/presence-io.adapter';
import { PresenceModule } from '../lib/presence.module';
import type { PresenceModuleOptions } from '../lib/presence.options';

/** The module's options in tests, unless a test says otherwise. */
export const TEST_OPTIONS: PresenceModuleOptions = {
  graceMs: 5000,
  countIntervalMs: 250,
  maxPagesPerSocket: 100,
  maxWatchedPerSocket: 1000,
  maxRoomsPerSocket: 100,
  rateLimitPerS: 100,
  rateLimitBurst: 200,
};

/**
 * `PresenceModule.forRoot(options)` in a real Nest application listening on
 * an ephemeral port with the Socket.IO adapter, for tests with real sockets.
 */
export async function startInProcessApp(options: Partial<PresenceModuleOptions>): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [PresenceModule.forRoot({ ...TEST_OPTIONS, ...options })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.use(apiKeyBeforeBody(options.apiKey));
  app.useWebSocketAdapter(new PresenceIoAdapter(app, { maxHttpBufferSize: 262144 }));
  await app.listen(0);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

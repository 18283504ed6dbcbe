import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { apiKeyBeforeBody } from '../lib/http/api-key-before-body';
import { PresenceIoAdapter } from '../lib/socket/presence-io.adapter';
import { PresenceModule } from '../lib/presence.module';
import type { PresenceModuleSettings } from '../lib/presence.options';

/**
 * `PresenceModule.forRoot(options)` (the defaults for what a test leaves out)
 * in a real Nest application listening on an ephemeral port with the
 * Socket.IO adapter, for tests with real sockets.
 */
export async function startInProcessApp(options: PresenceModuleSettings): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [PresenceModule.forRoot(options)],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.use(apiKeyBeforeBody(options.apiKey));
  app.useWebSocketAdapter(new PresenceIoAdapter(app, { maxHttpBufferSize: 262144 }));
  await app.listen(0);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
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
  app.useWebSocketAdapter(new PresenceIoAdapter(app, { maxHttpBufferSize: 262144 }));
  await app.listen(0);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Waits (on the event loop, not on time) until the server has seen a condition. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never became true: ${what}`);
}

/** Every payload of `event` that `socket` receives from now on. */
export function recordAll(socket: { on(event: string, listener: (payload: unknown) => void): unknown }, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

/** Sends a client event and resolves with its ack (2 s at most). */
export function request(socket: Socket, event: string, ...args: unknown[]): Promise<any> {
  return socket.timeout(2000).emitWithAck(event, ...args);
}

/** The next payload of `event` on `socket` that `match` accepts; rejects after `timeoutMs`, saying what came instead. */
export function next<T = any>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = 2000): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen: unknown[] = [];
    const listener = (payload: T) => {
      seen.push(payload);
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no matching ${event} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`));
    }, timeoutMs);
    socket.on(event, listener);
  });
}

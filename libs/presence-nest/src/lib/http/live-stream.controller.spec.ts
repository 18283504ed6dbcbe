import type { INestApplication } from '@nestjs/common';
import { STREAM_HEARTBEAT_MS } from '@presently/protocol';
import { ManualClock } from '@presently/presence-core/testing';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { PresenceRegistry } from '../presence-registry';
import { until } from '@presently/testing';
import { startInProcessApp } from '../../testing/in-process-app';

/**
 * `/api/pages/live` in-process, on a manual clock: heartbeats, coalescing
 * and the grace period of streams move only when the test says so.
 */

const GRACE_MS = 5000;
const COUNT_INTERVAL_MS = 250;

interface Reader {
  response: IncomingMessage;
  /** Event blocks and comment lines received, in order, as text. */
  blocks: string[];
  /** Resolves with the first block not yet taken that includes `text`. */
  next(text: string): Promise<string>;
  close(): void;
  ended: Promise<void>;
}

describe('LiveStreamController (in-process)', () => {
  let app: INestApplication;
  let url: string;
  let service: PresenceRegistry;
  const clock = new ManualClock();
  const sockets: Socket[] = [];
  const readers: Reader[] = [];

  beforeAll(async () => {
    ({ app, url } = await startInProcessApp({
      graceMs: GRACE_MS,
      countIntervalMs: COUNT_INTERVAL_MS,
      rateLimitPerS: 100,
      rateLimitBurst: 200,
      clock,
    }));
    service = app.get(PresenceRegistry);
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    for (const reader of readers.splice(0)) reader.close();
    // Every test starts on an empty registry: what the last one held runs out.
    await until(() => service.streams.size === 0, 'every stream is closed');
    clock.advance(GRACE_MS + COUNT_INTERVAL_MS);
    await until(() => service.presence.sizes().connections === 0, 'the registry is empty');
  });

  afterAll(async () => {
    await app?.close();
  });

  function open(page: string, clientId: string): Promise<Reader> {
    return new Promise((resolve, reject) => {
      const query = new URLSearchParams({ page, clientId });
      const req = httpRequest(`${url}/api/pages/live?${query}`, (response) => {
        const blocks: string[] = [];
        const waiters = new Set<() => void>();
        let taken = 0;
        let buffer = '';
        let ended!: () => void;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            blocks.push(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
          for (const waiter of [...waiters]) waiter();
        });
        response.on('close', () => ended());
        const reader: Reader = {
          response,
          blocks,
          next: (text) =>
            new Promise((found, fail) => {
              const check = () => {
                const index = blocks.findIndex((block, i) => i >= taken && block.includes(text));
                if (index < 0) return;
                taken = index + 1;
                waiters.delete(check);
                clearTimeout(timer);
                found(blocks[index]);
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(new Error(`no block with ${text}; received ${JSON.stringify(blocks.slice(taken))}`));
              }, 2000);
              waiters.add(check);
              check();
            }),
          close: () => req.destroy(),
          ended: new Promise((resolve) => (ended = resolve)),
        };
        readers.push(reader);
        resolve(reader);
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function connect(clientId: string): Promise<Socket> {
    const socket = io(`${url}/presence`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { clientId } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** A stream's reader counts as active, like every viewer here. */
  const count = (page: string, viewers: number, connections: number) =>
    `event: count\ndata: ${JSON.stringify({ page, viewers, connections, active: viewers })}`;

  it('sends retry, session and the count at once, and a comment each heartbeat interval', async () => {
    const page = '/in-process/heartbeat';
    const reader = await open(page, 'heartbeat-1');
    expect(reader.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(await reader.next('retry:')).toBe('retry: 3000');
    expect(await reader.next('session')).toBe('event: session\ndata: {"clientId":"heartbeat-1"}');
    expect(await reader.next('count')).toBe(count(page, 1, 1));
    clock.flush();
    clock.advance(STREAM_HEARTBEAT_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reader.blocks.some((block) => block.startsWith(':'))).toBe(false);
    clock.advance(1);
    expect(await reader.next(':')).toBe(': keep-alive');
    clock.advance(STREAM_HEARTBEAT_MS);
    expect(await reader.next(':')).toBe(': keep-alive');
    // The opening count is not repeated by the announcement it caused.
    expect(reader.blocks.filter((block) => block.startsWith('event: count'))).toEqual([count(page, 1, 1)]);
  });

  it('pushes the same coalesced counts as page:count, on the injected clock', async () => {
    const page = '/in-process/coalesced';
    const reader = await open(page, 'coalesced-reader');
    await reader.next('count');
    clock.flush();
    clock.advance(COUNT_INTERVAL_MS);
    const socket = await connect('coalesced-socket');
    const socketCounts: unknown[] = [];
    socket.on('page:count', (counts) => socketCounts.push(counts));

    expect(await socket.emitWithAck('page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 2, active: 2 });
    clock.flush(); // leading edge
    expect(await reader.next('count')).toBe(count(page, 2, 2));
    expect(await socket.emitWithAck('page:leave', { page })).toEqual({ ok: true, page });
    clock.flush();
    expect(await socket.emitWithAck('page:watch', { pages: [page] })).toMatchObject({ ok: true });
    const blocksBefore = reader.blocks.length;
    clock.advance(COUNT_INTERVAL_MS); // trailing edge
    expect(await reader.next('count')).toBe(count(page, 1, 1));
    await until(() => socketCounts.length === 2, 'the socket heard both counts');
    expect(socketCounts).toEqual([
      { page, viewers: 2, connections: 2, active: 2 },
      { page, viewers: 1, connections: 1, active: 1 },
    ]);
    expect(reader.blocks.slice(blocksBefore)).toEqual([count(page, 1, 1)]);
  });

  it('holds a closed stream for the grace period, then releases it', async () => {
    const page = '/in-process/grace';
    const reader = await open(page, 'grace-reader');
    await reader.next('count');
    expect(service.streams.size).toBe(1);
    reader.close();
    await until(() => service.presence.sizes().held === 1, 'the stream is held');
    expect(service.streams.size).toBe(0);
    expect(service.presence.pageCounts(page)).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    clock.advance(GRACE_MS);
    expect(service.presence.pageCounts(page)).toEqual({ page, viewers: 0, connections: 0, active: 0 });
    expect(service.presence.sizes().held).toBe(0);
  });
});

describe('LiveStreamController shutdown', () => {
  it('ends open streams when the application closes', async () => {
    const { app, url } = await startInProcessApp({ graceMs: GRACE_MS, countIntervalMs: COUNT_INTERVAL_MS });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(`${url}/api/pages/live?page=/bye`, resolve);
      req.on('error', reject);
      req.end();
    });
    const ended = new Promise((resolve) => response.on('close', resolve));
    response.resume();
    expect(app.get(PresenceRegistry).streams.size).toBe(1);
    await app.close();
    await ended;
  });
});

import type { INestApplication } from '@nestjs/common';
import { ManualClock } from '@presently/presence-core/testing';
import { io, type Socket } from 'socket.io-client';
import { PresenceRegistry } from '../presence-registry';
import { ANONYMOUS_ID, record, request, until, waitFor } from '@presently/testing';
import { startInProcessApp } from '../../testing/in-process-app';

/**
 * The Nest module in-process: the real gateway, adapter and Socket.IO
 * server, real `socket.io-client` sockets, and a manual clock so that the
 * coalescing and the grace period move only when the test says so.
 */

const GRACE_MS = 5000;
const COUNT_INTERVAL_MS = 250;
const RATE_PER_S = 10;
const RATE_BURST = 50;

describe('PresenceGateway (in-process)', () => {
  let app: INestApplication;
  let url: string;
  let service: PresenceRegistry;
  const clock = new ManualClock();
  const sockets: Socket[] = [];
  let counter = 0;

  beforeAll(async () => {
    ({ app, url } = await startInProcessApp({
      graceMs: GRACE_MS,
      countIntervalMs: COUNT_INTERVAL_MS,
      rateLimitPerS: RATE_PER_S,
      rateLimitBurst: RATE_BURST,
      clock,
    }));
    service = app.get(PresenceRegistry);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await app?.close();
  });

  function newClientId(prefix: string): string {
    counter += 1;
    return `${prefix}-${process.pid}-${counter}`;
  }

  async function open(clientId: string): Promise<{ socket: Socket; session: any }> {
    const socket = io(`${url}/presence`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { clientId } });
    sockets.push(socket);
    const session = await new Promise((resolve, reject) => {
      socket.once('session', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, session };
  }



  it('emits session right after connecting', async () => {
    const clientId = newClientId('session');
    const before = Date.now();
    const { session } = await open(clientId);
    expect(session).toEqual({ protocol: '1.1', clientId, userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [], serverTime: expect.any(Number) });
    // The public id is derived from the clientId: the same one again for the same browser.
    expect((await open(clientId)).session.userId).toBe(session.userId);
    expect((await open(newClientId('other'))).session.userId).not.toBe(session.userId);
    expect(session.serverTime).toBeGreaterThanOrEqual(before - 1000);
    expect(session.serverTime).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('assigns a clientId when the handshake brings a malformed one', async () => {
    const { session } = await open('bad id!');
    expect(session.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(session.clientId).not.toBe('bad id!');
    expect(session.userId).toMatch(ANONYMOUS_ID);
  });

  it('acks page:enter with the counts and sends page:count, coalesced on the injected clock', async () => {
    const a = await open(newClientId('page-a'));
    const b = await open(newClientId('page-b'));
    const page = '/in-process';

    const firstCount = waitFor<any>(a.socket, 'page:count', (c) => c.page === page);
    expect(await request(a.socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    clock.flush(); // the leading edge goes out once the current task is done
    expect(await firstCount).toEqual({ page, viewers: 1, connections: 1, active: 1 });

    // A change within the interval waits for its trailing edge.
    const aCounts = record(a.socket, 'page:count');
    const bCounts = record(b.socket, 'page:count');
    expect(await request(b.socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 2, active: 2 });
    clock.flush();
    await request(a.socket, 'stats:unwatch', {});
    await request(b.socket, 'stats:unwatch', {});
    expect(aCounts).toEqual([]);
    expect(bCounts).toEqual([]);

    const trailingA = waitFor<any>(a.socket, 'page:count', (c) => c.page === page);
    const trailingB = waitFor<any>(b.socket, 'page:count', (c) => c.page === page);
    clock.advance(COUNT_INTERVAL_MS);
    expect(await trailingA).toEqual({ page, viewers: 2, connections: 2, active: 2 });
    expect(await trailingB).toEqual({ page, viewers: 2, connections: 2, active: 2 });

    // A watcher is told without being counted.
    const w = await open(newClientId('page-w'));
    expect(await request(w.socket, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [{ page, viewers: 2, connections: 2, active: 2 }] });
    clock.advance(COUNT_INTERVAL_MS); // let the cooldown end
    const watcherSees = waitFor<any>(w.socket, 'page:count', (c) => c.page === page);
    expect(await request(b.socket, 'page:leave', { page })).toEqual({ ok: true, page });
    clock.flush();
    expect(await watcherSees).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    expect(service.presence.pageCounts(page)).toEqual({ page, viewers: 1, connections: 1, active: 1 });
  });

  it('room:join acks self and members and announces room:joined to the others', async () => {
    const alice = await open(newClientId('alice'));
    const bob = await open(newClientId('bob'));
    const [aliceId, bobId] = [alice.session.userId, bob.session.userId];

    const aliceJoin = await request(alice.socket, 'room:join', { room: 'lobby', profile: { name: 'Alice', status: 'busy', meta: { color: 'red' } } });
    const aliceMember = { userId: aliceId, name: 'Alice', status: 'busy', meta: { color: 'red' }, connections: 1, since: clock.now(), activity: 'active' };
    expect(aliceJoin).toEqual({ ok: true, room: 'lobby', self: aliceMember, members: [aliceMember], total: 1, typing: [] });

    const aliceHears = waitFor<any>(alice.socket, 'room:joined', (e) => e.room === 'lobby');
    const bobJoined = record(bob.socket, 'room:joined');
    const bobJoin = await request(bob.socket, 'room:join', { room: 'lobby', profile: { name: 'Bob' } });
    const bobMember = { userId: bobId, name: 'Bob', status: 'online', meta: {}, connections: 1, since: clock.now(), activity: 'active' };
    expect(bobJoin).toEqual({ ok: true, room: 'lobby', self: bobMember, members: [aliceMember, bobMember], total: 2, typing: [] });
    expect(await aliceHears).toEqual({ room: 'lobby', member: bobMember });
    await request(bob.socket, 'stats:unwatch', {});
    expect(bobJoined).toEqual([]); // never to the socket that caused it

    // A disconnect holds the member for the grace period, then room:left.
    const left = waitFor<any>(alice.socket, 'room:left', (e) => e.room === 'lobby');
    bob.socket.disconnect();
    await until(() => service.presence.sizes().held === 1, 'bob is held');
    expect(service.presence.members('lobby').map((m) => m.userId)).toEqual([aliceId, bobId]);
    clock.advance(GRACE_MS);
    // Bob was present from his join to his disconnect, the same moment on the manual clock.
    expect(await left).toEqual({ room: 'lobby', userId: bobId, reason: 'disconnect', duration: 0 });
    expect(service.presence.members('lobby')).toEqual([aliceMember]);
  });

  it('answers BAD_REQUEST to an unknown event with an ack and ignores one without', async () => {
    const { socket } = await open(newClientId('unknown'));
    expect(await request(socket, 'no:such:event', { page: '/x' })).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    expect(await request(socket, 'page:count', { page: '/x' })).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    const exceptions = record(socket, 'exception');
    socket.emit('no:such:event', { page: '/x' });
    expect(await request(socket, 'page:enter', { page: '/after-unknown' })).toMatchObject({ ok: true, viewers: 1 });
    expect(exceptions).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('answers BAD_REQUEST to a malformed payload, without touching the registry', async () => {
    const { socket } = await open(newClientId('malformed'));
    const enterPage = jest.spyOn(service.presence, 'enterPage');
    for (const payload of [null, 42, 'x', [], { page: '' }, { page: 'a'.repeat(513) }, { page: '/a\u0000' }, JSON.parse('{"page":"/x","__proto__":{}}')]) {
      expect(await request(socket, 'page:enter', payload)).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    }
    expect(enterPage).not.toHaveBeenCalled();
  });

  it('answers INTERNAL when a handler throws, and the socket keeps working', async () => {
    const { socket } = await open(newClientId('internal'));
    const page = '/internal';
    const enterPage = jest.spyOn(service.presence, 'enterPage').mockImplementation(() => {
      throw new Error('boom: secret detail');
    });
    const ack = await request(socket, 'page:enter', { page });
    expect(ack).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
    expect(ack.error.message).not.toContain('secret detail');
    expect(enterPage).toHaveBeenCalledTimes(1);

    // Another handler throwing, in the same socket.
    jest.spyOn(service.presence, 'joinRoom').mockImplementation(() => {
      throw new TypeError('also boom');
    });
    expect(await request(socket, 'room:join', { room: 'internal-room' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });

    // Without an ack it must not take the socket down either.
    socket.emit('page:enter', { page });
    expect(await request(socket, 'stats:unwatch', {})).toEqual({ ok: true }); // processed while the mock is in place
    expect(enterPage).toHaveBeenCalledTimes(2);

    jest.restoreAllMocks();
    expect(socket.connected).toBe(true);
    expect(service.presence.pageCounts(page)).toEqual({ page, viewers: 0, connections: 0, active: 0 });
    expect(await request(socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await request(socket, 'room:join', { room: 'internal-room' })).toMatchObject({ ok: true, room: 'internal-room', members: [expect.any(Object)] });
    expect(await request(socket, 'page:leave', { page })).toEqual({ ok: true, page });
  });

  it('serves the module HTTP endpoints next to the gateway', async () => {
    const { socket } = await open(newClientId('http'));
    expect(await request(socket, 'page:enter', { page: '/http' })).toMatchObject({ ok: true, viewers: 1 });
    const response = await fetch(`${url}/api/pages/count?page=${encodeURIComponent('/http')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ page: '/http', viewers: 1, connections: 1, active: 1 });
    expect((await fetch(`${url}/api/pages/count?page=`)).status).toBe(400);
  });
  it('answers RATE_LIMITED past the burst, changes nothing, and admits events again as tokens refill', async () => {
    const { socket } = await open(newClientId('rate'));
    const page = `/rate-${counter}`;
    const acks = await Promise.all(Array.from({ length: RATE_BURST }, () => request(socket, 'stats:unwatch', {})));
    expect(acks.every((ack) => ack.ok === true)).toBe(true);

    expect(await request(socket, 'page:enter', { page })).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
    expect(await request(socket, 'no-such-event', {})).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(service.presence.pageCounts(page)).toEqual({ page, viewers: 0, connections: 0, active: 0 });

    // A tenth of a second refills one token at 10 events a second.
    clock.advance(1000 / RATE_PER_S);
    expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true, viewers: 1 });
    expect(await request(socket, 'page:leave', { page })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });

    const { socket: other } = await open(newClientId('rate-other'));
    expect(await request(other, 'page:enter', { page })).toMatchObject({ ok: true, viewers: 2, connections: 2, active: 2 });
  });
});

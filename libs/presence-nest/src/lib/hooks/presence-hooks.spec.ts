import type { INestApplication } from '@nestjs/common';
import { ManualClock } from '@presently/presence-core/testing';
import type { AuthorizeHook, PresenceHandshake } from '../access/authorize';
import { PresenceLifecycle, type PresenceLifecycleEvent } from './presence-lifecycle';
import { PresenceEmitError, PresenceEmitter } from './presence-emitter';
import { PresenceRegistry } from '../presence-registry';
import { ANONYMOUS_ID, clientId as newClientId, closeAll, connect, connectError, record, request, signToken, until, waitFor } from '@presently/testing';
import { startInProcessApp } from '../../testing/in-process-app';

/**
 * The application hooks in-process, with real sockets: `authorize`, the
 * lifecycle stream, `PresenceEmitter`, and a token that expires while its
 * socket is connected (on a manual clock, so nobody waits for it).
 */

const SECRET = 'hooks-spec-secret-0123456789abcdef';

describe('PresenceModule hooks (in-process)', () => {
  let app: INestApplication;
  let url: string;
  let service: PresenceRegistry;
  let emitter: PresenceEmitter<{ 'order:shipped': { id: string }; notice: string }>;
  let lifecycle: PresenceLifecycleEvent[];
  const clock = new ManualClock(Date.now());
  /** The hook the module calls; each test sets the one it needs. */
  let authorize: AuthorizeHook = () => true;
  let seenHandshakes: PresenceHandshake[] = [];

  beforeAll(async () => {
    ({ app, url } = await startInProcessApp({
      graceMs: 5000,
      countIntervalMs: 250,
      rateLimitPerS: 1000,
      rateLimitBurst: 1000,
      jwtSecret: SECRET,
      authorize: (handshake) => {
        seenHandshakes.push(handshake);
        return authorize(handshake);
      },
      clock,
    }));
    service = app.get(PresenceRegistry);
    emitter = app.get(PresenceEmitter);
    lifecycle = [];
    app.get(PresenceLifecycle).events$.subscribe((event) => lifecycle.push(event));
  });

  beforeEach(() => {
    authorize = () => true;
    seenHandshakes = [];
  });

  afterEach(closeAll);

  afterAll(async () => {
    await app?.close();
  });

  const token = (sub: string, claims: Record<string, unknown> = {}, expiresAt = Math.floor(Date.now() / 1000) + 3600) =>
    signToken(SECRET, { sub, ...claims }, { expiresIn: expiresAt });

  const open = (auth: Record<string, unknown> = { clientId: newClientId('c') }, headers: Record<string, string> = {}) => connect(url, { auth, headers });

  const refusal = (auth: Record<string, unknown> = { clientId: newClientId('r') }) => connectError(url, { auth }) as Promise<Error & { data?: unknown }>;

  /** Waits until every socket of earlier tests is gone, held ones included (their grace ends on the manual clock). */
  const drained = () =>
    until(() => {
      clock.advance(5000);
      return service.presence.sizes().connections === 0;
    }, 'no one is connected');

  describe('authorize', () => {
    it('admits a connection when the hook answers true, and tells it who and where the client is', async () => {
      const clientId = newClientId('admitted');
      const { session } = await open({ clientId, token: await token('ada', { roles: ['ops'] }), extra: 'x' }, { origin: 'https://app.example' });
      expect(session).toMatchObject({ clientId, userId: 'ada', roles: ['ops'] });
      expect(seenHandshakes).toHaveLength(1);
      expect(seenHandshakes[0]).toMatchObject({
        identity: { clientId, userId: 'ada', name: 'ada', roles: ['ops'], authenticated: true },
        address: '127.0.0.1',
        origin: 'https://app.example',
        auth: { clientId, extra: 'x' },
      });
    });

    it('refuses with FORBIDDEN when the hook answers false, before the connection counts anywhere', async () => {
      await drained();
      const before = lifecycle.length;
      authorize = () => false;
      const error = await refusal();
      expect(error.message).toBe('FORBIDDEN');
      expect(error.data).toEqual({ code: 'FORBIDDEN', message: expect.any(String) });
      expect(service.presence.sizes().connections).toBe(0);
      expect(service.presence.stats().online).toEqual({ connections: 0, visitors: 0 });
      expect(lifecycle.slice(before)).toEqual([]);
    });

    it('refuses with the code and message the hook gives, and waits for an async hook', async () => {
      let decide!: (verdict: { refuse: 'UNAUTHORIZED'; message: string }) => void;
      authorize = () => new Promise((resolve) => (decide = resolve));
      const pending = refusal();
      await until(() => seenHandshakes.length === 1, 'the hook was called');
      // Still deciding: the connection is not counted.
      expect(service.presence.sizes().connections).toBe(0);
      decide({ refuse: 'UNAUTHORIZED', message: 'account suspended' });
      const error = await pending;
      expect(error.message).toBe('UNAUTHORIZED');
      expect(error.data).toEqual({ code: 'UNAUTHORIZED', message: 'account suspended' });
    });

    it('refuses with INTERNAL when the hook throws or rejects, and keeps serving', async () => {
      authorize = () => {
        throw new Error('hook bug');
      };
      expect((await refusal()).message).toBe('INTERNAL');
      authorize = () => Promise.reject(new Error('database down'));
      expect((await refusal()).message).toBe('INTERNAL');
      authorize = (() => undefined) as unknown as AuthorizeHook;
      expect((await refusal()).message).toBe('FORBIDDEN'); // only `true` admits
      authorize = async () => true;
      const { socket } = await open();
      expect(await request(socket, 'page:enter', { page: '/after-refusals' })).toMatchObject({ ok: true, viewers: 1 });
    });

    it('decides per connection: a refused token holder does not keep others out', async () => {
      authorize = ({ identity }) => identity.userId !== 'mallory';
      expect((await refusal({ token: await token('mallory') })).message).toBe('FORBIDDEN');
      const { session } = await open({ token: await token('grace') });
      expect(session.userId).toBe('grace');
    });
  });

  describe('lifecycle events', () => {
    it('streams connected, pageCount, roomJoined, memberUpdated, roomLeft and disconnected, in order', async () => {
      await drained();
      lifecycle.length = 0;
      const aliceClientId = newClientId('alice');
      const alice = await open({ clientId: aliceClientId });
      // Alice is anonymous: her members carry her public id, never her clientId.
      const aliceId: string = alice.session.userId;
      expect(aliceId).toMatch(ANONYMOUS_ID);
      const bob = await open({ clientId: newClientId('bob'), token: await token('bob', { name: 'Bob' }) });

      await request(alice.socket, 'page:enter', { page: '/life' });
      clock.flush();
      await request(alice.socket, 'room:join', { room: 'life', profile: { name: 'Alice' } });
      await request(bob.socket, 'room:join', { room: 'life' });
      await request(alice.socket, 'room:update', { room: 'life', profile: { status: 'away' } });
      await request(alice.socket, 'room:update', { room: 'life', profile: { status: 'away' } }); // unchanged: nothing
      await request(bob.socket, 'room:leave', { room: 'life' });
      alice.socket.disconnect();
      await until(() => lifecycle.some((e) => e.type === 'disconnected'), 'the disconnect was seen');
      clock.advance(5000); // the grace period ends: Alice leaves her page and room

      const member = (userId: string, name: string, status = 'online') => ({ userId, name, status, meta: {}, connections: 1, since: expect.any(Number), activity: 'active' });
      expect(lifecycle).toEqual([
        { type: 'connected', socketId: expect.any(String), identity: { clientId: aliceClientId, userId: aliceId, name: null, roles: [], authenticated: false } },
        { type: 'connected', socketId: expect.any(String), identity: expect.objectContaining({ userId: 'bob', name: 'Bob', authenticated: true }) },
        { type: 'pageCount', page: '/life', viewers: 1, connections: 1, active: 1 },
        { type: 'roomJoined', room: 'life', member: member(aliceId, 'Alice') },
        { type: 'roomJoined', room: 'life', member: member('bob', 'Bob') },
        { type: 'memberUpdated', room: 'life', member: member(aliceId, 'Alice', 'away') },
        { type: 'roomLeft', room: 'life', userId: 'bob', reason: 'leave', duration: 0 },
        { type: 'disconnected', socketId: expect.any(String), identity: expect.objectContaining({ clientId: aliceClientId }), reason: 'client namespace disconnect' },
        // The manual clock did not move between her join and her disconnect: no time present, however long the grace.
        { type: 'roomLeft', room: 'life', userId: aliceId, reason: 'disconnect', duration: 0 },
        // Counts are coalesced: they follow once the current turn is done.
        { type: 'pageCount', page: '/life', viewers: 0, connections: 0, active: 0 },
      ]);
      const [first, , , , , , , disconnected] = lifecycle as Array<{ socketId?: string }>;
      expect(disconnected.socketId).toBe(first.socketId);
    });

    it('of(type) filters the stream', async () => {
      const joined: string[] = [];
      const subscription = app
        .get(PresenceLifecycle)
        .of('roomJoined')
        .subscribe(({ room, member }) => joined.push(`${member.userId}@${room}`));
      const { socket, session } = await open({ clientId: newClientId('filter') });
      await request(socket, 'page:enter', { page: '/filter' });
      await request(socket, 'room:join', { room: 'filter' });
      subscription.unsubscribe();
      expect(joined).toEqual([`${session.userId}@filter`]);
    });
  });

  describe('PresenceEmitter', () => {
    it('delivers to all, to users (every device), to a role and to a room, and nowhere else', async () => {
      const ada1 = await open({ token: await token('ada', { roles: ['admin'] }) });
      const ada2 = await open({ token: await token('ada', { roles: ['admin'] }) });
      const bob = await open({ token: await token('bob', { roles: ['ops'] }) });
      const anon = await open({ clientId: 'ada-lookalike-01' });
      const all = [ada1, ada2, bob, anon].map(({ socket }) => record(socket, 'notice'));
      await request(bob.socket, 'room:join', { room: 'emit-room' });
      await request(anon.socket, 'room:join', { room: 'emit-room' });

      const seen = (...indexes: number[]) => Promise.all(indexes.map((i) => waitFor<any>([ada1, ada2, bob, anon][i].socket, 'notice')));
      let arrived = seen(0, 1, 2, 3);
      emitter.toAll('notice', 'everyone');
      await arrived;
      arrived = seen(0, 1);
      emitter.toUsers(['ada', 'nobody', 'ada-lookalike-01'], 'notice', 'ada');
      await arrived;
      arrived = seen(0, 1);
      emitter.toRole('admin', 'notice', 'admins');
      await arrived;
      arrived = seen(2, 3);
      emitter.emit({ room: 'emit-room' }, 'notice', 'room');
      await arrived;
      arrived = seen(2);
      emitter.toUsers(['bob'], 'notice');
      await arrived;
      // A round trip on every socket: nothing else is on its way.
      for (const { socket } of [ada1, ada2, bob, anon]) await request(socket, 'stats:unwatch', {});
      expect(all).toEqual([
        ['everyone', 'ada', 'admins'],
        ['everyone', 'ada', 'admins'],
        ['everyone', 'room', null],
        ['everyone', 'room'],
      ]);
    });

    it('refuses reserved names and empty targets', () => {
      for (const name of ['connect', 'disconnect', 'page:count', 'room:left', 'session', 'session:expired', 'room:sync']) {
        expect(() => (emitter as unknown as PresenceEmitter).toAll(name)).toThrow(PresenceEmitError);
      }
      expect(() => emitter.emit({ users: [] }, 'notice', 'x')).toThrow(PresenceEmitError);
      emitter.toUsers([], 'notice', 'x'); // nothing to do
    });
  });

  describe('a token that expires while connected', () => {
    it('loses its private and role rooms at expiry: members hear room:left, it hears session:expired and cannot join again', async () => {
      // The manual clock runs ahead of real time (handshakes check tokens on real time).
      const nowS = Math.floor(clock.now() / 1000);
      // exp + 30 s skew: the token stops vouching 90 s from now on the manual clock.
      const short = await open({ token: await token('shorty', { roles: ['admin'] }, nowS + 60) });
      const other = await open({ token: await token('longy', { roles: ['admin'] }) });
      const rooms = ['private:expiry', 'role:admin:expiry', 'public-expiry'];
      for (const room of rooms) {
        expect(await request(other.socket, 'room:join', { room })).toMatchObject({ ok: true });
        expect(await request(short.socket, 'room:join', { room })).toMatchObject({ ok: true });
      }
      expect(await request(short.socket, 'page:enter', { page: '/expiry' })).toMatchObject({ ok: true });
      const otherHears = record(other.socket, 'room:left');
      const shortHears = record(short.socket, 'room:left');
      const shortNotices = record(short.socket, 'notice');
      const expired = waitFor<any>(short.socket, 'session:expired');

      clock.advance(89_000);
      await request(short.socket, 'stats:unwatch', {});
      expect(service.presence.members('private:expiry').map((m) => m.userId)).toEqual(['longy', 'shorty']);

      clock.advance(1_000);
      expect(await expired).toEqual({ rooms: ['private:expiry', 'role:admin:expiry'] });
      await request(other.socket, 'stats:unwatch', {});
      expect(otherHears).toEqual([
        { room: 'private:expiry', userId: 'shorty', reason: 'leave', duration: expect.any(Number) },
        { room: 'role:admin:expiry', userId: 'shorty', reason: 'leave', duration: expect.any(Number) },
      ]);
      expect(shortHears).toEqual([]);
      expect(service.presence.members('private:expiry').map((m) => m.userId)).toEqual(['longy']);
      expect(service.presence.members('public-expiry').map((m) => m.userId)).toEqual(['longy', 'shorty']);
      expect(service.presence.pageCounts('/expiry')).toMatchObject({ viewers: 1 });

      // It may not come back, and emits to its user and roles no longer reach it.
      expect(await request(short.socket, 'room:join', { room: 'private:expiry' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await request(short.socket, 'room:join', { room: 'role:admin' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await request(short.socket, 'room:join', { room: 'elsewhere' })).toMatchObject({ ok: true });
      emitter.toUsers(['shorty'], 'notice', 'user');
      emitter.toRole('admin', 'notice', 'role');
      const otherGetsIt = waitFor<any>(other.socket, 'notice');
      emitter.toRoom('public-expiry', 'notice', 'room');
      await otherGetsIt;
      await request(short.socket, 'stats:unwatch', {});
      expect(shortNotices).toEqual(['room']);
      expect(short.socket.connected).toBe(true);
    });
  });
});

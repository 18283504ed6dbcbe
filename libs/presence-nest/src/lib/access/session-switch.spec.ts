import type { INestApplication } from '@nestjs/common';
import { ManualClock } from '@presently/presence-core/testing';
import { clientId, closeAll, connect, record, request, signToken, waitFor } from '@presently/testing';
import { startInProcessApp } from '../../testing/in-process-app';
import { PresenceLifecycle, type PresenceLifecycleEvent } from '../hooks/presence-lifecycle';
import { PresenceEmitter } from '../hooks/presence-emitter';
import { PresenceRegistry } from '../presence-registry';
import type { AuthorizeHook, PresenceHandshake } from './authorize';

/**
 * `session:token` with the application's hooks, in-process with real
 * sockets: the `authorize` hook runs again for the new identity (a refusal
 * is `UNAUTHORIZED` and changes nothing), the lifecycle hears who the socket
 * was and is, one socket's requests apply in the order sent, and the new
 * token's expiry is watched on a manual clock.
 */

const SECRET = 'session-switch-spec-secret-0123456789abcdef';

describe('session:token with the application hooks (in-process)', () => {
  let app: INestApplication;
  let url: string;
  let registry: PresenceRegistry;
  let emitter: PresenceEmitter;
  let lifecycle: PresenceLifecycleEvent[];
  const clock = new ManualClock(Date.now());
  let authorize: AuthorizeHook = () => true;
  let seen: PresenceHandshake[] = [];

  beforeAll(async () => {
    ({ app, url } = await startInProcessApp({
      jwtSecret: SECRET,
      authorize: (handshake) => {
        seen.push(handshake);
        return authorize(handshake);
      },
      clock,
    }));
    registry = app.get(PresenceRegistry);
    emitter = app.get(PresenceEmitter);
    lifecycle = [];
    app.get(PresenceLifecycle).events$.subscribe((event) => lifecycle.push(event));
  });

  beforeEach(() => {
    authorize = () => true;
    seen = [];
  });

  afterEach(closeAll);

  afterAll(async () => {
    await app?.close();
  });

  const token = (sub: string, claims: Record<string, unknown> = {}, exp = Math.floor(clock.now() / 1000) + 3600) => signToken(SECRET, { sub, ...claims }, { expiresIn: exp });

  const open = (auth: Record<string, unknown> = {}) => connect(url, { clientId: clientId('switch'), auth });

  it('runs authorize again for the new identity, with the new token in auth, and refuses with UNAUTHORIZED changing nothing', async () => {
    const { socket, session } = await open({ extra: 'kept' });
    await request(socket, 'room:join', { room: 'lobby' });
    const sessions = record(socket, 'session');
    seen = [];
    const ada = await token('ada', { roles: ['ops'] });
    authorize = ({ identity }) => (identity.userId === 'ada' ? { refuse: 'FORBIDDEN', message: 'ada is banned' } : true);
    expect(await request(socket, 'session:token', { token: ada })).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: 'ada is banned' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      identity: { clientId: session.clientId, userId: 'ada', roles: ['ops'], authenticated: true },
      address: '127.0.0.1',
      auth: { clientId: session.clientId, extra: 'kept', token: ada },
    });
    authorize = () => false;
    expect(await request(socket, 'session:token', { token: await token('bob') })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // Nothing changed: no session, the same member, no emit to the refused user reaches it.
    const notes = record(socket, 'note');
    emitter.toUsers(['ada', 'bob'], 'note', 'for the refused');
    emitter.toAll('note', 'for all');
    await waitFor(socket, 'note', (note) => note === 'for all');
    expect([sessions, notes]).toEqual([[], ['for all']]);
    expect(registry.presence.members('lobby').map((m) => m.userId)).toEqual([session.userId]);

    // Signing out runs the hook too, without a token in auth.
    authorize = () => true;
    await request(socket, 'session:token', { token: ada });
    seen = [];
    expect(await request(socket, 'session:token', { token: null })).toMatchObject({ ok: true, session: { userId: session.userId } });
    expect(seen[0].auth).toEqual({ clientId: session.clientId, extra: 'kept' });
    expect(seen[0].identity).toMatchObject({ userId: session.userId, authenticated: false });
  });

  it('answers INTERNAL when the hook fails, and changes nothing', async () => {
    const { socket, session } = await open();
    authorize = () => {
      throw new Error('hook bug');
    };
    expect(await request(socket, 'session:token', { token: await token('cy') })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    authorize = () => Promise.reject(new Error('hook down'));
    expect(await request(socket, 'session:token', { token: await token('cy') })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    authorize = () => true;
    expect(await request(socket, 'session:token', { token: null })).toMatchObject({ ok: true, session: { userId: session.userId } });
  });

  it('tells the lifecycle who the socket was and is, and its disconnect as who it is then', async () => {
    const { socket, session } = await open();
    lifecycle.length = 0;
    await request(socket, 'session:token', { token: await token('dee', { name: 'Dee' }) });
    expect(lifecycle).toEqual([
      {
        type: 'identityChanged',
        socketId: expect.any(String),
        previous: expect.objectContaining({ userId: session.userId, authenticated: false }),
        identity: expect.objectContaining({ userId: 'dee', name: 'Dee', authenticated: true }),
      },
    ]);
    const gone = new Promise<void>((resolve) => {
      const sub = app.get(PresenceLifecycle).of('disconnected').subscribe((event) => {
        if (event.identity.userId !== 'dee') return;
        sub.unsubscribe();
        resolve();
      });
    });
    socket.disconnect();
    await gone;
  });

  it('applies one socket\'s requests in the order sent, whatever the hook takes for each', async () => {
    const { socket } = await open();
    let release: (() => void) | null = null;
    authorize = ({ identity }) => (identity.userId === 'slow' ? new Promise((resolve) => (release = () => resolve(true))) : true);
    const acks: string[] = [];
    const slow = request(socket, 'session:token', { token: await token('slow') }).then((ack) => acks.push(`slow ${ack.ok}`));
    const fast = request(socket, 'session:token', { token: await token('fast') }).then((ack) => acks.push(`fast ${ack.ok}`));
    await new Promise<void>((resolve) => {
      const poll = () => (release ? resolve() : setImmediate(poll));
      poll();
    });
    expect(acks).toEqual([]);
    (release as unknown as () => void)();
    await Promise.all([slow, fast]);
    expect(acks).toEqual(['slow true', 'fast true']);
    expect(await request(socket, 'room:join', { room: 'order' })).toMatchObject({ ok: true, self: { userId: 'fast' } });
  });

  it('watches the new token\'s exp, and no longer the old one\'s', async () => {
    const now = Math.floor(clock.now() / 1000);
    const { socket } = await open({ token: await token('eve', {}, now + 60) });
    await request(socket, 'room:join', { room: 'private:eve' });
    const expired = record(socket, 'session:expired');
    // The new token expires later: the old exp (+ 30 s skew) passes without anything.
    await request(socket, 'session:token', { token: await token('eve', {}, now + 600) });
    clock.advance(91_000);
    expect(await request(socket, 'room:join', { room: 'private:eve' })).toMatchObject({ ok: true });
    expect(expired).toEqual([]);
    clock.advance(540_000);
    expect(await waitFor(socket, 'session:expired')).toEqual({ rooms: ['private:eve'] });
    // Anonymous, nothing is watched: a fresh token brings the rights back, and is watched in turn.
    await request(socket, 'session:token', { token: null });
    await request(socket, 'session:token', { token: await token('eve', {}, Math.floor(clock.now() / 1000) + 60) });
    expect(await request(socket, 'room:join', { room: 'private:eve' })).toMatchObject({ ok: true });
    clock.advance(91_000);
    expect(await waitFor(socket, 'session:expired')).toEqual({ rooms: ['private:eve'] });
  });
});

import type { Socket } from 'socket.io-client';
import {
  connect,
  connectError,
  get,
  metricSamples,
  nowS,
  post,
  record,
  request,
  sampleValue,
  signToken,
  userToken,
  useServer,
  waitFor,
  type TestSocket,
} from '@presently/testing';

/**
 * Token times: `nbf` and `exp` are honoured with the 30 s skew, and a token
 * that expires while its socket is connected stops vouching at `exp` + 30 s:
 * the socket leaves its `private:` and `role:` rooms (their members hear
 * `room:left`), is told with `session:expired` (a protocol extension), may
 * not join them again and no longer receives emits to its user and roles.
 */

const SECRET = 'expiry-e2e-secret-0123456789abcdef';
const API_KEY = 'expiry-e2e-key-0123456789';

describe('token times', () => {
  const server = useServer({ JWT_SECRET: SECRET, API_KEY });

  it('refuses a token not valid before a time beyond the skew, and accepts one within it', async () => {
    const early = await signToken(SECRET, { sub: 'early', nbf: nowS() + 120 }, { expiresIn: '1h' });
    expect((await connectError(server.url, { token: early })).message).toBe('UNAUTHORIZED');
    const almost = await signToken(SECRET, { sub: 'almost', nbf: nowS() + 10 }, { expiresIn: '1h' });
    expect((await connect(server.url, { token: almost })).session.userId).toBe('almost');
  });

  it('takes a token away from a connected socket when it expires', async () => {
    const other = await connect(server.url, { token: await userToken(SECRET, 'steady', { roles: ['admin'] }) });
    // Expired 25 s ago: the skew leaves it valid for 4 to 5 more seconds.
    const short = await connect(server.url, { token: await signToken(SECRET, { sub: 'fleeting', roles: ['admin'], exp: nowS() - 25 }) });
    expect(short.session).toMatchObject({ userId: 'fleeting', roles: ['admin'] });
    const expired = waitFor<{ rooms: string[] }>(short.socket, 'session:expired', () => true, 15_000);

    const rooms = ['private:expiry', 'role:admin:expiry', 'public-expiry'];
    for (const room of rooms) {
      expect(await request(other.socket, 'room:join', { room })).toMatchObject({ ok: true });
      expect(await request(short.socket, 'room:join', { room })).toMatchObject({ ok: true, members: [expect.anything(), expect.anything()] });
    }
    expect(await request(short.socket, 'page:enter', { page: '/expiry' })).toMatchObject({ ok: true, viewers: 1 });
    const otherHears = record<{ room: string; userId: string; reason: string }>(other.socket, 'room:left');
    const bothLeft = waitFor(other.socket, 'room:left', (e: { room: string }) => e.room === 'role:admin:expiry', 15_000);
    const shortHears = record(short.socket, 'room:left');

    expect(await expired).toEqual({ rooms: ['private:expiry', 'role:admin:expiry'] });
    await bothLeft;
    expect(otherHears).toEqual([
      { room: 'private:expiry', userId: 'fleeting', reason: 'leave', duration: expect.any(Number) },
      { room: 'role:admin:expiry', userId: 'fleeting', reason: 'leave', duration: expect.any(Number) },
    ]);

    // It may not join them again; public rooms and its page are unaffected.
    expect(await request(short.socket, 'room:join', { room: 'private:expiry' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(short.socket, 'room:join', { room: 'private:elsewhere' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(short.socket, 'room:join', { room: 'role:admin' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(short.socket, 'room:update', { room: 'public-expiry', profile: { status: 'away' } })).toMatchObject({ ok: true });
    const bearer = { authorization: `Bearer ${await userToken(SECRET, 'steady', { roles: ['admin'] })}` };
    const privateMembers = await get(server.url, `/api/rooms/members?room=${encodeURIComponent('private:expiry')}`, bearer);
    expect(privateMembers.body.members.map((m: { userId: string }) => m.userId)).toEqual(['steady']);
    const publicMembers = await get(server.url, '/api/rooms/members?room=public-expiry');
    expect(publicMembers.body.members.map((m: { userId: string }) => m.userId)).toEqual(['steady', 'fleeting']);
    expect((await get(server.url, '/api/pages/count?page=/expiry')).body).toMatchObject({ viewers: 1 });

    // Emits to its user and its role no longer reach it; the room still does.
    const shortGets: unknown[] = [];
    (short.socket as unknown as Socket).onAny((event: string, payload: unknown) => event.startsWith('note') && shortGets.push(payload));
    const emit = (body: unknown) => post(server.url, '/api/emit', body, { 'x-api-key': API_KEY });
    expect((await emit({ event: 'note', data: 'user', to: { users: ['fleeting'] } })).status).toBe(202);
    expect((await emit({ event: 'note', data: 'role', to: { role: 'admin' } })).status).toBe(202);
    const last = (socket: TestSocket) => waitFor(socket, 'note:last', () => true);
    const arrived = [last(short.socket), last(other.socket)];
    expect((await emit({ event: 'note:last', data: 'room', to: { room: 'public-expiry' } })).status).toBe(202);
    await Promise.all(arrived);
    expect(shortGets).toEqual(['room']);

    expect(short.socket.connected).toBe(true);
    expect(shortHears).toEqual([]);
    expect(sampleValue(await metricSamples(server.url), 'presently_sessions_expired_total')).toBe(1);
    expect(sampleValue(await metricSamples(server.url), 'presently_events_out_total', { event: 'session:expired' })).toBe(1);
  }, 30_000);
});

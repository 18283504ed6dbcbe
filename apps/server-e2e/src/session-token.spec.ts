import type { Session, WebhookEvent } from '@presently/protocol';
import type { Socket } from 'socket.io-client';
import {
  ANONYMOUS_ID,
  clientId,
  connect,
  countArrived,
  countsReceived,
  key,
  nowS,
  pageCount,
  post,
  record,
  request,
  signToken,
  startWebhookReceiver,
  unsignedToken,
  userToken,
  useServer,
  waitFor,
  watchPage,
  type TestSocket,
  type WebhookReceiver,
} from '@presently/testing';
import { join, type Member, membersOn, roomEvents } from './support/rooms';

/**
 * `session:token` (protocol v1.1, "Signing in and out without
 * reconnecting"), one process, through real sockets: a socket signs in, out
 * or renews its token; `session` comes before the ack; the rooms it may no
 * longer be in are left; in the others a renewal is silent (or one
 * `room:updated` for a new name), a replacement is one `room:updated` with
 * `previousUserId`, and the other cases are the ordinary events; a bad token
 * changes nothing; emits and token expiry follow the new identity; page
 * counts do not move. And the demo tokens of `DEMO_TOKENS=1`.
 */

const SECRET = 'session-token-e2e-secret-0123456789abcdef';
const API_KEY = 'session-token-e2e-key-0123456789';

/** Every application event (`note:*`) a socket receives. */
function notes(socket: TestSocket): string[] {
  const seen: string[] = [];
  (socket as unknown as Socket).onAny((event: string, payload: unknown) => {
    if (event.startsWith('note:')) seen.push(`${event} ${String(payload)}`);
  });
  return seen;
}

describe('session:token', () => {
  const server = useServer({ JWT_SECRET: SECRET, API_KEY, COUNT_INTERVAL_MS: '50' });

  const token = (sub: string, claims: Record<string, unknown> = {}) => userToken(SECRET, sub, claims);
  const user = async (sub: string, claims: Record<string, unknown> = {}) => connect(server.url, { clientId: clientId(`tab-${sub}`), token: await token(sub, claims) });
  const members = (room: string, bearer?: string) => membersOn(server.url, room, bearer);

  /** `socket` joins `room`, and `observer` has heard of it (the two travel on different sockets, in no order). */
  const joinSeen = async (observer: TestSocket, { socket, session }: { socket: TestSocket; session: Session }, room: string, profile?: Record<string, unknown>) => {
    const seen = waitFor<{ member: Member }>(observer, 'room:joined', (e) => e.member.userId === session.userId);
    const ack = await join(socket, room, profile);
    await seen;
    return ack;
  };

  /**
   * Proves that `observer` heard everything announced of `room` so far: a
   * marker user (allowed in any room of these tests) joins and leaves, and
   * its leave arrives after whatever came before (one process sends in order).
   */
  async function quiet(observer: TestSocket, room: string): Promise<void> {
    const { socket: marker, session } = await user(`marker-${clientId()}`, { roles: ['ops'] });
    const left = waitFor<{ userId: string }>(observer, 'room:left', (e) => e.userId === session.userId);
    await join(marker, room);
    await request(marker, 'room:leave', { room });
    await left;
  }

  it('signs an anonymous socket in: session before the ack, one room:updated with previousUserId, the member kept in its place, page counts unchanged', async () => {
    const room = key('token-in');
    const page = `/token/${key('page')}`;
    const { socket: observer } = await user('observer');
    await join(observer, room);
    const watcher = await watchPage(server.url, page);
    const { socket, session: anonymous } = await connect(server.url);
    await request(socket, 'page:enter', { page });
    const joined = await joinSeen(observer, { socket, session: anonymous }, room, { name: 'Zed', status: 'away', meta: { color: 'teal' } });
    await countArrived(watcher, { page, viewers: 1, connections: 1, active: 1 });
    // It types: a change of user stops its typing first (the old user typed).
    const typing = waitFor(observer, 'room:typing', (e: { userId: string; typing: boolean }) => e.userId === anonymous.userId && e.typing);
    expect(await request(socket, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    await typing;
    const stopped = waitFor(observer, 'room:typing', (e: { userId: string; typing: boolean }) => e.userId === anonymous.userId && !e.typing);
    const heard = roomEvents(observer, room);
    const sessions = record<Session>(socket, 'session');
    const countsBefore = countsReceived(watcher).length;

    const ack = await request(socket, 'session:token', { token: await token('ada', { name: 'Ada', roles: ['ops'] }) });
    const session = { protocol: '1.1', clientId: anonymous.clientId, userId: 'ada', name: 'Ada', roles: ['ops'], serverTime: expect.any(Number) };
    expect(ack).toEqual({ ok: true, session, left: [] });
    // `session` arrived before the ack.
    expect(sessions).toEqual([ack.session]);

    await quiet(observer, room);
    const ada = { userId: 'ada', name: 'Ada', status: 'away', meta: { color: 'teal' }, connections: 1, since: joined.self.since, activity: 'active' };
    expect(heard).toEqual([{ event: 'room:updated', payload: { room, member: ada, previousUserId: anonymous.userId } }]);
    await stopped;
    // A replacement is no leave: only the marker is a recent leaver.
    const { recent } = (await request(observer, 'room:recent', { room })) as { recent: { userId: string }[] };
    expect(recent.map((l) => l.userId).filter((id) => !id.startsWith('marker-'))).toEqual([]);
    expect((await members(room)).map((m) => m.userId)).toEqual(['observer', 'ada']);
    expect((await members(room))[1]).toEqual(ada);

    // The page did not move: its count is the same, and its watcher hears only the next real change.
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    const { socket: other } = await connect(server.url);
    await request(other, 'page:enter', { page });
    await countArrived(watcher, { page, viewers: 2, connections: 2, active: 2 });
    expect(countsReceived(watcher).slice(countsBefore)).toEqual([{ page, viewers: 2, connections: 2, active: 2 }]);
  });

  it("keeps an idle socket's state through a change of user: the replacement's room:updated carries the member's activity idle", async () => {
    const room = key('token-idle');
    const { socket: observer } = await user('observer');
    await join(observer, room);
    const { socket, session: anonymous } = await connect(server.url);
    await joinSeen(observer, { socket, session: anonymous }, room);
    const idle = waitFor<{ member: Member }>(observer, 'room:updated', (e) => e.member.userId === anonymous.userId && e.member.activity === 'idle');
    expect(await request(socket, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    await idle;
    const replaced = waitFor<{ member: Member; previousUserId?: string }>(observer, 'room:updated', (e) => e.previousUserId === anonymous.userId);
    expect(await request(socket, 'session:token', { token: await token('ivy', { name: 'Ivy' }) })).toMatchObject({ ok: true });
    const { member } = await replaced;
    expect(member).toMatchObject({ userId: 'ivy', name: 'Ivy', connections: 1, activity: 'idle' });
    expect((await members(room)).find((m) => m.userId === 'ivy')?.activity).toBe('idle');
  });

  it('signs a socket out: the rooms it may no longer be in are left first, the others keep it under its anonymous id and the name it gave', async () => {
    const [lobby, team, ops] = [key('token-out'), `private:${key('team')}`, `role:ops:${key('night')}`];
    const { socket: observer } = await user('watcher', { roles: ['ops'] });
    for (const room of [lobby, team, ops]) await join(observer, room);
    const bea = await user('bea', { name: 'Bea', roles: ['ops'] });
    const { socket, session: signedIn } = bea;
    await joinSeen(observer, bea, lobby, { name: 'Bee', status: 'busy' });
    await joinSeen(observer, bea, team);
    await joinSeen(observer, bea, ops);
    const heard = { lobby: roomEvents(observer, lobby), team: roomEvents(observer, team), ops: roomEvents(observer, ops) };

    const ack = await request(socket, 'session:token', { token: null });
    expect(ack).toEqual({
      ok: true,
      session: { protocol: '1.1', clientId: signedIn.clientId, userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [], serverTime: expect.any(Number) },
      left: [team, ops],
    });
    const anonymousId = ack.session.userId;
    // The same id as a socket of that browser connecting anonymously.
    expect((await connect(server.url, { clientId: signedIn.clientId })).session.userId).toBe(anonymousId);

    for (const room of [lobby, team, ops]) await quiet(observer, room);
    expect(heard.team).toEqual([{ event: 'room:left', payload: { room: team, userId: 'bea', reason: 'leave', duration: expect.any(Number) } }]);
    expect(heard.ops).toEqual([{ event: 'room:left', payload: { room: ops, userId: 'bea', reason: 'leave', duration: expect.any(Number) } }]);
    expect(heard.lobby).toEqual([
      { event: 'room:updated', payload: { room: lobby, member: expect.objectContaining({ userId: anonymousId, name: 'Bee', status: 'busy' }), previousUserId: 'bea' } },
    ]);
    const bearer = await token('watcher', { roles: ['ops'] });
    expect((await members(team, bearer)).map((m) => m.userId)).toEqual(['watcher']);
    expect(await request(socket, 'room:join', { room: team })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('renews a token silently, announces a new name with room:updated, and changes nothing for an anonymous socket signing out again', async () => {
    const room = key('token-renew');
    const { socket: observer } = await user('observer');
    await join(observer, room);
    const cy = await user('cy', { name: 'Cy' });
    const { socket } = cy;
    const joined = await joinSeen(observer, cy, room, { status: 'away' });
    const heard = roomEvents(observer, room);

    expect(await request(socket, 'session:token', { token: await token('cy', { name: 'Cy' }) })).toMatchObject({ ok: true, session: { userId: 'cy', name: 'Cy' }, left: [] });
    await quiet(observer, room);
    expect(heard).toEqual([]);

    expect(await request(socket, 'session:token', { token: await token('cy', { name: 'Cyrus' }) })).toMatchObject({ ok: true, session: { userId: 'cy', name: 'Cyrus' } });
    await quiet(observer, room);
    expect(heard).toEqual([{ event: 'room:updated', payload: { room, member: { ...joined.self, name: 'Cyrus' } } }]);

    const anon = await connect(server.url);
    const { socket: anonymous, session } = anon;
    await joinSeen(observer, anon, room, { name: 'Anon' });
    heard.length = 0;
    expect(await request(anonymous, 'session:token', { token: null })).toMatchObject({ ok: true, session: { userId: session.userId, name: null }, left: [] });
    await quiet(observer, room);
    expect(heard).toEqual([]);
  });

  it('announces the ordinary events when the old member keeps another socket or the new user is there already', async () => {
    const room = key('token-other');
    const { socket: observer } = await user('observer');
    await join(observer, room);
    const browser = clientId('two-tabs');
    const first = await connect(server.url, { clientId: browser });
    const { socket: tab1, session: anonymous } = first;
    const { socket: tab2 } = await connect(server.url, { clientId: browser });
    await joinSeen(observer, first, room, { name: 'Tabs', status: 'busy', meta: { n: 1 } });
    await join(tab2, room);
    const heard = roomEvents(observer, room);

    // The anonymous member keeps its other tab: the new user joins, nobody leaves.
    const before = Date.now();
    await request(tab1, 'session:token', { token: await token('dee', { name: 'Dee' }) });
    await quiet(observer, room);
    expect(heard).toEqual([
      { event: 'room:joined', payload: { room, member: { userId: 'dee', name: 'Dee', status: 'busy', meta: { n: 1 }, connections: 1, since: expect.any(Number), activity: 'active' } } },
    ]);
    expect((heard[0].payload.member as Member).since).toBeGreaterThanOrEqual(before - 1000);

    // The other tab signs in as the user that is there: its anonymous member leaves, the user gains a socket.
    heard.length = 0;
    await request(tab2, 'session:token', { token: await token('dee', { name: 'Dee' }) });
    await quiet(observer, room);
    expect(heard).toEqual([{ event: 'room:left', payload: { room, userId: anonymous.userId, reason: 'leave', duration: expect.any(Number) } }]);
    expect((await members(room)).map((m) => [m.userId, m.connections])).toEqual([
      ['observer', 1],
      ['dee', 2],
    ]);
  });

  it('answers UNAUTHORIZED to a bad, expired, unsigned or empty token, and changes nothing', async () => {
    const room = key('token-bad');
    const { socket: observer } = await user('observer');
    await join(observer, room);
    const eve = await user('eve', { name: 'Eve' });
    const { socket, session } = eve;
    const joined = await joinSeen(observer, eve, room);
    const heard = roomEvents(observer, room);
    const sessions = record(socket, 'session');
    const bad = [
      'not-a-token',
      '',
      await signToken(SECRET, { sub: 'mallory', exp: nowS() - 60 }),
      unsignedToken({ sub: 'mallory', exp: nowS() + 600 }),
      await signToken('another-secret-0123456789abcdefgh', { sub: 'mallory' }, { expiresIn: '1h' }),
      await token('a_AAAAAAAAAAAAAAAAAAAAAA'),
      await signToken(SECRET, { sub: 'mallory', roles: 'admin' }, { expiresIn: '1h' }),
    ];
    for (const bogus of bad) {
      expect(await request(socket, 'session:token', { token: bogus })).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    }
    for (const malformed of [{}, { token: 42 }, { token: ['x'] }]) {
      expect(await request(socket, 'session:token', malformed)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    await quiet(observer, room);
    expect([sessions, heard]).toEqual([[], []]);
    expect((await members(room)).find((m) => m.userId === 'eve')).toEqual(joined.self);
    expect(await request(socket, 'room:join', { room: `private:${key('still')}` })).toMatchObject({ ok: true });
    expect(session.userId).toBe('eve');
  });

  it('makes the socket reachable by the new identity\'s emits and no longer by the old one\'s', async () => {
    const emit = (to: unknown, event: string) => post(server.url, '/api/emit', { event, data: 'x', to }, { 'x-api-key': API_KEY });
    const { socket } = await user('finn', { roles: ['ops'] });
    const inbox = notes(socket);
    /** Emits to every target, then a last one to all: Socket.IO keeps the order. */
    const probe = async () => {
      for (const [to, event] of [
        [{ users: ['finn'] }, 'note:finn'],
        [{ role: 'ops' }, 'note:ops'],
        [{ users: ['gail'] }, 'note:gail'],
        [{ role: 'admin' }, 'note:admin'],
      ] as const) {
        expect((await emit(to, event)).status).toBe(202);
      }
      const done = waitFor(socket, 'note:done');
      expect((await emit({ all: true }, 'note:done')).status).toBe(202);
      await done;
      return inbox.splice(0).filter((note) => note !== 'note:done x');
    };
    expect(await probe()).toEqual(['note:finn x', 'note:ops x']);
    await request(socket, 'session:token', { token: await token('gail', { roles: ['admin'] }) });
    expect(await probe()).toEqual(['note:gail x', 'note:admin x']);
    await request(socket, 'session:token', { token: null });
    expect(await probe()).toEqual([]);
  });

  it('follows the new token\'s exp: a short one expires while connected', async () => {
    const team = `private:${key('expiring')}`;
    const { socket: observer } = await user('holly');
    await join(observer, team);
    const { socket } = await user('ivy');
    await join(socket, team);
    // Expired 25 s ago: the skew leaves it valid for 4 to 5 more seconds.
    await request(socket, 'session:token', { token: await signToken(SECRET, { sub: 'ivy', exp: nowS() - 25 }) });
    const left = waitFor(observer, 'room:left', (e: { userId: string }) => e.userId === 'ivy', 15_000);
    expect(await waitFor(socket, 'session:expired', () => true, 15_000)).toEqual({ rooms: [team] });
    expect(await left).toEqual({ room: team, userId: 'ivy', reason: 'leave', duration: expect.any(Number) });
  }, 30_000);

  it('stops watching the old token\'s exp: a socket that renewed a short token in time is not expired', async () => {
    const team = `private:${key('renewed')}`;
    const exp = nowS() - 25;
    const { socket } = await connect(server.url, { token: await signToken(SECRET, { sub: 'jay', exp }) });
    await join(socket, team);
    expect(await request(socket, 'session:token', { token: await token('jay') })).toMatchObject({ ok: true });
    const expired = record(socket, 'session:expired');
    // A witness whose token expires a second after the old one: by its expiry the old timer would have fired.
    const { socket: witness } = await connect(server.url, { token: await signToken(SECRET, { sub: 'kim', exp: exp + 1 }) });
    await waitFor(witness, 'session:expired', () => true, 15_000);
    expect(expired).toEqual([]);
    expect(await request(socket, 'room:join', { room: team })).toMatchObject({ ok: true, self: { userId: 'jay' } });
  }, 30_000);

  it('serves no demo tokens without DEMO_TOKENS=1', async () => {
    expect(await post(server.url, '/api/demo/token', { name: 'Ada' }, { 'x-api-key': API_KEY })).toMatchObject({ status: 404 });
    expect(await post(server.url, '/api/demo/token', { name: 'Ada' })).toMatchObject({ status: 401 });
  });
});

describe('demo tokens (DEMO_TOKENS=1)', () => {
  // No JWT_SECRET: the server makes one at start.
  const server = useServer({ DEMO_TOKENS: '1' });

  it('mints a short token for a new user named as asked, that signs a socket in', async () => {
    const answer = await post<{ token: string }>(server.url, '/api/demo/token', { name: 'Ada Lovelace', extra: true });
    expect(answer).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    const claims = JSON.parse(Buffer.from(answer.body.token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toEqual({ sub: expect.stringMatching(/^u_[A-Za-z0-9_-]{16}$/), name: 'Ada Lovelace', iat: expect.any(Number), exp: expect.any(Number) });
    expect((claims.exp as number) - nowS()).toBeLessThanOrEqual(15 * 60);
    expect((claims.exp as number) - nowS()).toBeGreaterThan(10 * 60);

    const { socket, session } = await connect(server.url);
    const ack = await request(socket, 'session:token', { token: answer.body.token });
    expect(ack).toMatchObject({ ok: true, session: { clientId: session.clientId, userId: claims.sub, name: 'Ada Lovelace', roles: [] } });
    const other = await post<{ token: string }>(server.url, '/api/demo/token', { name: 'Ada Lovelace' });
    expect((await connect(server.url, { token: other.body.token })).session.userId).not.toBe(claims.sub);
  });

  it('refuses a bad name with 400, and an address past its rate with 429', async () => {
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(65) }, { name: '\u202eevil' }, { name: 42 }, 'not json']) {
      expect(await post(server.url, '/api/demo/token', body)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(server.url, '/api/demo/token', { name: 'Flood' })));
    expect(answers.filter((a) => a.status === 429)[0]).toMatchObject({ body: { error: { code: 'RATE_LIMITED', message: expect.any(String) } } });
  });
});

describe('session:token and webhooks', () => {
  const WEBHOOK_SECRET = 'session-token-webhook-secret-0123456789';
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(WEBHOOK_SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  const server = useServer({
    JWT_SECRET: SECRET,
    WEBHOOK_SECRET,
    // Read when the server starts, after the receiver's beforeAll.
    get WEBHOOK_URL() {
      return receiver.url;
    },
  });

  /** The events of one room, as `type userId?` lines, in the order they arrived. */
  const story = (room: string) =>
    receiver.delivered
      .filter((e) => 'room' in e.data && e.data.room === room)
      .map((e) => (e.type === 'room.member_joined' ? `joined ${e.data.member.userId}` : e.type === 'room.member_left' ? `left ${e.data.userId} ${e.data.reason}` : e.type));
  const joinedHook = (room: string, userId: string) =>
    receiver.waitFor((e: WebhookEvent) => e.type === 'room.member_joined' && e.data.room === room && e.data.member.userId === userId, `${userId} joined ${room}`);

  it('sends no webhook for a replacement, and the ordinary member_left and member_joined otherwise', async () => {
    const room = key('token-hooks');
    const { socket, session } = await connect(server.url);
    await request(socket, 'room:join', { room });
    await joinedHook(room, session.userId);
    expect(await request(socket, 'session:token', { token: await userToken(SECRET, 'ada') })).toMatchObject({ ok: true });

    // Another browser joins, then signs in as the user now there: its anonymous member leaves.
    const other = await connect(server.url);
    await request(other.socket, 'room:join', { room });
    await joinedHook(room, other.session.userId);
    await request(other.socket, 'session:token', { token: await userToken(SECRET, 'ada') });
    const marker = await connect(server.url, { token: await userToken(SECRET, 'marker') });
    await request(marker.socket, 'room:join', { room });
    await joinedHook(room, 'marker');
    expect(story(room)).toEqual(['room.occupied', `joined ${session.userId}`, `joined ${other.session.userId}`, `left ${other.session.userId} leave`, 'joined marker']);
  });
});

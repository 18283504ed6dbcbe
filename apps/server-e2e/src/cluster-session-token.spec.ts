import type { Session, WebhookEvent } from '@presently/protocol';
import type { Socket } from 'socket.io-client';
import {
  clientId,
  connect,
  key,
  nowS,
  pageCount,
  post,
  record,
  request,
  signToken,
  startWebhookReceiver,
  userToken,
  useCluster,
  waitFor,
  type RunningRedis,
  type TestSocket,
  type WebhookReceiver,
} from '@presently/testing';
import { join, type Member, membersOn, roomEvents } from './support/rooms';

/**
 * `session:token` across two server processes sharing one real
 * redis-server: what a sign-in, a sign-out or a renewal announces is decided
 * once for the cluster (a member is replaced only when the old user had no
 * other socket anywhere and the new one was not in the room anywhere), every
 * process's sockets hear the same events, member lists and page counts are
 * the same on both, and emits sent through either process follow the new
 * identity.
 */

const SECRET = 'cluster-session-token-secret-0123456789abcdef';
const API_KEY = 'cluster-session-token-key-0123456789';

const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, JWT_SECRET: SECRET, API_KEY, GRACE_MS: '3000', COUNT_INTERVAL_MS: '50' });

describe('session:token across processes', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  const token = (sub: string, claims: Record<string, unknown> = {}) => userToken(SECRET, sub, claims);
  const user = async (url: string, sub: string, claims: Record<string, unknown> = {}) => connect(url, { clientId: clientId(`tab-${sub}`), token: await token(sub, claims) });

  /** Two signed-in observers of `rooms`, one on each process, the first having heard the second join each room. */
  async function observers(...rooms: string[]) {
    const [a, b] = [await user(servers[0].url, `observer-a-${rooms[0]}`), await user(servers[1].url, `observer-b-${rooms[0]}`)];
    for (const room of rooms) {
      await join(a.socket, room);
      const seen = waitFor<{ room: string; member: Member }>(a.socket, 'room:joined', (e) => e.room === room && e.member.userId === b.session.userId);
      await join(b.socket, room);
      await seen;
    }
    return [a.socket, b.socket];
  }

  /** `socket` joins `room` and every observer has heard of it (events travel on other sockets, in no order). */
  async function joinSeen(watching: TestSocket[], { socket, session }: { socket: TestSocket; session: Session }, room: string, profile?: Record<string, unknown>) {
    const seen = watching.map((observer) => waitFor<{ member: Member }>(observer, 'room:joined', (e) => e.member.userId === session.userId));
    const ack = await join(socket, room, profile);
    await Promise.all(seen);
    return ack;
  }

  /**
   * Proves that every observer heard all that `via` decided of `room` so
   * far: a marker joins and leaves through `via`, whose broadcasts reach
   * every process in the order it sent them.
   */
  async function quiet(watching: TestSocket[], room: string, via: string): Promise<void> {
    const { socket: marker, session } = await user(via, `marker-${clientId()}`, { roles: ['ops'] });
    const left = watching.map((observer) => waitFor<{ userId: string }>(observer, 'room:left', (e) => e.userId === session.userId));
    await join(marker, room);
    await request(marker, 'room:leave', { room });
    await Promise.all(left);
  }

  it("keeps an idle socket's state through a change of user on every process: the replacement's room:updated carries the member's activity idle", async () => {
    const room = key('cluster-token-idle');
    const watching = await observers(room);
    const anonymous = await connect(servers[0].url);
    await joinSeen(watching, anonymous, room);
    const idle = watching.map((observer) =>
      waitFor<{ member: Member }>(observer, 'room:updated', (e) => e.member.userId === anonymous.session.userId && e.member.activity === 'idle'),
    );
    expect(await request(anonymous.socket, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    await Promise.all(idle);
    const replaced = watching.map((observer) =>
      waitFor<{ member: Member; previousUserId?: string }>(observer, 'room:updated', (e) => e.previousUserId === anonymous.session.userId),
    );
    expect(await request(anonymous.socket, 'session:token', { token: await token('ivy', { name: 'Ivy' }) })).toMatchObject({ ok: true });
    for (const { member } of await Promise.all(replaced)) expect(member).toMatchObject({ userId: 'ivy', name: 'Ivy', connections: 1, activity: 'idle' });
    for (const server of servers) expect((await membersOn(server.url, room)).find((m) => m.userId === 'ivy')?.activity).toBe('idle');
  });

  it('replaces a member whose only socket signs in by one room:updated on every process, in its place, page counts unchanged', async () => {
    const room = key('cluster-token-in');
    const page = `/cluster-token/${key('page')}`;
    const watching = await observers(room);
    const anonymous = await connect(servers[0].url);
    await request(anonymous.socket, 'page:enter', { page });
    const joined = await joinSeen(watching, anonymous, room, { name: 'Zed', status: 'away', meta: { n: 1 } });
    // It types: a change of user stops its typing first, heard on both processes.
    const typingOf = (typing: boolean) => (e: { userId: string; typing: boolean }) => e.userId === anonymous.session.userId && e.typing === typing;
    const typing = watching.map((observer) => waitFor(observer, 'room:typing', typingOf(true)));
    expect(await request(anonymous.socket, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    await Promise.all(typing);
    const stopped = watching.map((observer) => waitFor(observer, 'room:typing', typingOf(false)));
    const heard = watching.map((observer) => roomEvents(observer, room));
    const sessions = record(anonymous.socket, 'session');

    const ack = await request(anonymous.socket, 'session:token', { token: await token('ada', { name: 'Ada' }) });
    expect(ack).toEqual({
      ok: true,
      session: { protocol: '1.1', clientId: anonymous.session.clientId, userId: 'ada', name: 'Ada', roles: [], serverTime: expect.any(Number) },
      left: [],
    });
    expect(sessions).toEqual([ack.session]);
    await quiet(watching, room, servers[0].url);
    const ada = { userId: 'ada', name: 'Ada', status: 'away', meta: { n: 1 }, connections: 1, since: joined.self.since, activity: 'active' };
    for (const events of heard) expect(events).toEqual([{ event: 'room:updated', payload: { room, member: ada, previousUserId: anonymous.session.userId } }]);
    await Promise.all(stopped);
    // A replacement is no leave: on either process, only the marker is a recent leaver.
    for (const observer of watching) {
      const { recent } = (await request(observer, 'room:recent', { room })) as { recent: { userId: string }[] };
      expect(recent.map((l) => l.userId).filter((id) => !id.startsWith('marker-'))).toEqual([]);
    }
    for (const server of servers) {
      expect((await membersOn(server.url, room)).map((m) => m.userId)).toEqual([`observer-a-${room}`, `observer-b-${room}`, 'ada']);
      expect((await membersOn(server.url, room))[2]).toEqual(ada);
      expect(await pageCount(server.url, page)).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    }
  });

  it('decides for the whole cluster: an old member with a socket on the other process stays, and the new user joins', async () => {
    const room = key('cluster-token-tabs');
    const watching = await observers(room);
    const browser = clientId('browser');
    const here = await connect(servers[0].url, { clientId: browser });
    const there = await connect(servers[1].url, { clientId: browser });
    await joinSeen(watching, here, room, { status: 'busy', meta: { tab: 1 } });
    await join(there.socket, room);
    const heard = watching.map((observer) => roomEvents(observer, room));

    // Alone on its process, yet not the member's only socket: no replacement, no leave.
    await request(here.socket, 'session:token', { token: await token('bea', { name: 'Bea' }) });
    await quiet(watching, room, servers[0].url);
    for (const events of heard) {
      expect(events).toEqual([{ event: 'room:joined', payload: { room, member: expect.objectContaining({ userId: 'bea', name: 'Bea', status: 'busy', meta: { tab: 1 }, connections: 1 }) } }]);
    }
    for (const server of servers) {
      expect((await membersOn(server.url, room)).map((m) => [m.userId, m.connections])).toEqual([
        [`observer-a-${room}`, 1],
        [`observer-b-${room}`, 1],
        [here.session.userId, 1],
        ['bea', 1],
      ]);
    }

    // The other tab signs in as the user now there: its anonymous member leaves, the user gains the socket.
    for (const events of heard) events.length = 0;
    await request(there.socket, 'session:token', { token: await token('bea', { name: 'Bea' }) });
    await quiet(watching, room, servers[1].url);
    for (const events of heard) expect(events).toEqual([{ event: 'room:left', payload: { room, userId: here.session.userId, reason: 'leave', duration: expect.any(Number) } }]);
    // That leave is an ordinary one: a recent leaver on both processes, with room:left's duration.
    const [leftEvent] = heard[0];
    for (const observer of watching) {
      const { recent } = (await request(observer, 'room:recent', { room })) as { recent: { userId: string; duration: number }[] };
      expect(recent.filter((l) => l.userId === here.session.userId)).toEqual([expect.objectContaining({ duration: leftEvent.payload.duration })]);
    }
    for (const server of servers) {
      expect((await membersOn(server.url, room)).map((m) => [m.userId, m.connections])).toEqual([
        [`observer-a-${room}`, 1],
        [`observer-b-${room}`, 1],
        ['bea', 2],
      ]);
    }
  });

  it('signs out: rooms it may no longer be in left on every process, the rest kept under its anonymous id; a renewal is silent, a new name one room:updated', async () => {
    const [lobby, team] = [key('cluster-token-out'), `private:${key('team')}`];
    const watching = await observers(lobby, team);
    const cy = await user(servers[1].url, 'cy', { name: 'Cy' });
    await joinSeen(watching, cy, lobby, { name: 'Cyan' });
    await joinSeen(watching, cy, team);
    const heard = watching.map((observer) => ({ lobby: roomEvents(observer, lobby), team: roomEvents(observer, team) }));

    expect(await request(cy.socket, 'session:token', { token: await token('cy', { name: 'Cy' }) })).toMatchObject({ ok: true, left: [] });
    await quiet(watching, lobby, servers[1].url);
    await quiet(watching, team, servers[1].url);
    expect(heard.flatMap((h) => [...h.lobby, ...h.team])).toEqual([]);

    await request(cy.socket, 'session:token', { token: await token('cy', { name: 'Cyrus' }) });
    await quiet(watching, lobby, servers[1].url);
    await quiet(watching, team, servers[1].url);
    for (const h of heard) {
      for (const [room, events] of [[lobby, h.lobby], [team, h.team]] as const) {
        expect(events).toEqual([{ event: 'room:updated', payload: { room, member: expect.objectContaining({ userId: 'cy', name: 'Cyrus' }) } }]);
        events.length = 0;
      }
    }

    const ack = await request(cy.socket, 'session:token', { token: null });
    expect(ack).toMatchObject({ ok: true, session: { clientId: cy.session.clientId, name: null, roles: [] }, left: [team] });
    const anonymousId = ack.session.userId;
    await quiet(watching, lobby, servers[1].url);
    await quiet(watching, team, servers[1].url);
    for (const h of heard) {
      expect(h.team).toEqual([{ event: 'room:left', payload: { room: team, userId: 'cy', reason: 'leave', duration: expect.any(Number) } }]);
      expect(h.lobby).toEqual([{ event: 'room:updated', payload: { room: lobby, member: expect.objectContaining({ userId: anonymousId, name: 'Cyan' }), previousUserId: 'cy' } }]);
    }
    const bearer = await token('reader');
    for (const server of servers) expect((await membersOn(server.url, team, bearer)).map((m) => m.userId)).toEqual([`observer-a-${lobby}`, `observer-b-${lobby}`]);
  });

  it('answers UNAUTHORIZED to a bad token and changes nothing anywhere', async () => {
    const room = key('cluster-token-bad');
    const watching = await observers(room);
    const dee = await user(servers[0].url, 'dee');
    const joined = await joinSeen(watching, dee, room);
    const heard = watching.map((observer) => roomEvents(observer, room));
    for (const bogus of ['', 'garbage', await signToken(SECRET, { sub: 'mallory', exp: nowS() - 60 })]) {
      expect(await request(dee.socket, 'session:token', { token: bogus })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
    await quiet(watching, room, servers[0].url);
    expect(heard.flat()).toEqual([]);
    for (const server of servers) expect((await membersOn(server.url, room))[2]).toEqual(joined.self);
  });

  it('makes the socket reachable by the new identity\'s emits through either process, and no longer by the old one\'s', async () => {
    const { socket } = await user(servers[0].url, 'eli', { roles: ['ops'] });
    await request(socket, 'session:token', { token: await token('fay', { roles: ['admin'] }) });
    const inbox: string[] = [];
    (socket as unknown as Socket).onAny((event: string) => event.startsWith('note:') && inbox.push(event));
    for (const [to, event] of [
      [{ users: ['eli'] }, 'note:eli'],
      [{ role: 'ops' }, 'note:ops'],
      [{ users: ['fay'] }, 'note:fay'],
      [{ role: 'admin' }, 'note:admin'],
    ] as const) {
      expect((await post(servers[1].url, '/api/emit', { event, to }, { 'x-api-key': API_KEY })).status).toBe(202);
    }
    // The same process relays every emit of the other in order: the last one says the others arrived.
    const done = waitFor(socket, 'note:done');
    expect((await post(servers[1].url, '/api/emit', { event: 'note:done', to: { all: true } }, { 'x-api-key': API_KEY })).status).toBe(202);
    await done;
    expect(inbox).toEqual(['note:fay', 'note:admin', 'note:done']);
  });
});

describe('session:token and webhooks across processes', () => {
  const WEBHOOK_SECRET = 'cluster-token-webhook-secret-0123456789';
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(WEBHOOK_SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  const cluster = useCluster(2, (redis) => ({ ...clusterEnv(redis), WEBHOOK_URL: receiver.url, WEBHOOK_SECRET }));
  const { servers } = cluster;

  /** The events of one room, as `type userId?` lines, in the order they arrived. */
  const story = (room: string) =>
    receiver.delivered
      .filter((e) => 'room' in e.data && e.data.room === room)
      .map((e) => (e.type === 'room.member_joined' ? `joined ${e.data.member.userId}` : e.type === 'room.member_left' ? `left ${e.data.userId} ${e.data.reason}` : e.type));
  const joinedHook = (room: string, userId: string) =>
    receiver.waitFor((e: WebhookEvent) => e.type === 'room.member_joined' && e.data.room === room && e.data.member.userId === userId, `${userId} joined ${room}`);

  it('sends no webhook for a replacement decided by the cluster, and the ordinary member_left and member_joined otherwise', async () => {
    const room = key('cluster-token-hooks');
    const browser = clientId('browser');
    const here = await connect(servers[0].url, { clientId: browser });
    await request(here.socket, 'room:join', { room });
    await joinedHook(room, here.session.userId);
    // Its only socket anywhere: replaced, nothing sent.
    await request(here.socket, 'session:token', { token: await userToken(SECRET, 'ada') });

    // A tab of another browser on each process: one signs in (a new member joins, the anonymous one stays), then the other (it leaves).
    const other = clientId('other');
    const [a, b] = [await connect(servers[0].url, { clientId: other }), await connect(servers[1].url, { clientId: other })];
    await request(a.socket, 'room:join', { room });
    await joinedHook(room, a.session.userId);
    await request(b.socket, 'room:join', { room });
    await request(b.socket, 'session:token', { token: await userToken(SECRET, 'bea') });
    await joinedHook(room, 'bea');
    await request(a.socket, 'session:token', { token: await userToken(SECRET, 'bea') });
    const marker = await connect(servers[0].url, { token: await userToken(SECRET, 'marker') });
    await request(marker.socket, 'room:join', { room });
    await joinedHook(room, 'marker');
    expect(story(room)).toEqual(['room.occupied', `joined ${here.session.userId}`, `joined ${a.session.userId}`, 'joined bea', `left ${a.session.userId} leave`, 'joined marker']);
  });
});

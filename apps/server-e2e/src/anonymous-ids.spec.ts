import {
  ANONYMOUS_ID,
  clientId,
  connect,
  get,
  key,
  record,
  request,
  restartServer,
  startServer,
  until,
  useCluster,
  useServer,
  waitFor,
  type RunningRedis,
  type RunningServer,
  type TestSocket,
} from '@presently/testing';
import type { Socket } from 'socket.io-client';

/**
 * Anonymous identities (issue 17, item 5). A clientId is a browser's
 * credential: whoever presents it is that browser. An anonymous member is
 * listed under a public id derived from its clientId with a server secret,
 * so reading a member list or a room event no longer hands anyone the means
 * to become that member; the clientId reaches no other socket and no HTTP
 * answer. The ids are the same on every process of a cluster, and across
 * restarts with ANON_ID_SECRET.
 */

const GRACE_MS = 1500;
const ANON_ID_SECRET = 'anon-e2e-id-secret-0123456789abcdef';

type Member = { userId: string; name: string; status: string; meta: Record<string, unknown>; connections: number; since: number };
type Joined = { room: string; member: Member };
type Left = { room: string; userId: string; reason: string };
type JoinAck = { ok: true; room: string; self: Member; members: Member[]; total: number };

async function join(socket: TestSocket, room: string, profile?: Record<string, unknown>): Promise<JoinAck> {
  const ack = await request(socket, 'room:join', { room, ...(profile && { profile }) });
  expect(ack.ok).toBe(true);
  return ack as JoinAck;
}

const membersOn = async (url: string, room: string) => (await get<{ members: Member[] }>(url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;

/** Every event `socket` receives, as JSON text. */
function everything(socket: TestSocket): string[] {
  const seen: string[] = [];
  (socket as unknown as Socket).onAny((event: string, ...args: unknown[]) => seen.push(JSON.stringify([event, ...args])));
  return seen;
}

/** The public id a clientId gets on the server at `url`. */
async function publicIdOf(url: string, id: string): Promise<string> {
  const { socket, session } = await connect(url, { clientId: id });
  socket.disconnect();
  expect(session.clientId).toBe(id);
  expect(session.userId).toMatch(ANONYMOUS_ID);
  return session.userId;
}

/**
 * The attack: the victim, anonymous, is in a room; the attacker reads its
 * userId from a room event and from `GET /api/rooms/members`, connects
 * presenting it as its clientId (through `impostorUrl`), and joins with its
 * own profile. It becomes a member of its own: the victim's entry keeps its
 * profile and the victim hears no `room:updated` about itself.
 */
async function impersonationFails(victimUrl: string, impostorUrl: string): Promise<void> {
  const room = key('anon-victim-room');
  const attacker = await connect(impostorUrl, { clientId: clientId('attacker') });
  const attackerAck = await join(attacker.socket, room, { name: 'Mallory' });
  const victim = await connect(victimUrl, { clientId: clientId('victim') });
  const heard = waitFor<Joined>(attacker.socket, 'room:joined', (e) => e.room === room);
  const victimAck = await join(victim.socket, room, { name: 'Victim', status: 'busy', meta: { team: 'blue' } });
  const victimId = victimAck.self.userId;
  expect(victimId).toMatch(ANONYMOUS_ID);
  expect(victimId).toBe(victim.session.userId);

  // What the attacker reads: the room event and the HTTP list name the public id only.
  expect((await heard).member).toEqual(victimAck.self);
  expect((await membersOn(impostorUrl, room)).find((m) => m.userId === victimId)).toEqual(victimAck.self);

  const victimUpdates = record<Joined>(victim.socket, 'room:updated');
  const victimJoins = record<Joined>(victim.socket, 'room:joined');
  // The id is a well-formed clientId: the server takes it as one, for a browser of its own.
  const impostor = await connect(impostorUrl, { clientId: victimId });
  expect(impostor.session.clientId).toBe(victimId);
  expect(impostor.session.userId).toMatch(ANONYMOUS_ID);
  expect(impostor.session.userId).not.toBe(victimId);
  const impostorAck = await join(impostor.socket, room, { name: 'Victim', status: 'online', meta: { team: 'red' } });
  expect(impostorAck.self).toMatchObject({ userId: impostor.session.userId, status: 'online', meta: { team: 'red' }, connections: 1 });
  expect(impostorAck.members.find((m) => m.userId === victimId)).toEqual(victimAck.self);

  // A later change that the victim must hear after the impostor's join: nothing about itself came before it.
  const marker = waitFor<Joined>(victim.socket, 'room:updated', (e) => e.room === room && e.member.userId === attackerAck.self.userId);
  await request(attacker.socket, 'room:update', { room, profile: { status: 'away' } });
  await marker;
  expect(victimUpdates.filter((e) => e.member.userId === victimId)).toEqual([]);
  expect(victimJoins.map((e) => e.member.userId)).toEqual([impostor.session.userId]);
  const members = await membersOn(victimUrl, room);
  expect(members.find((m) => m.userId === victimId)).toEqual(victimAck.self);
  expect(members.map((m) => m.userId).sort()).toEqual([attackerAck.self.userId, victimId, impostor.session.userId].sort());
}

/**
 * The victim, with a clientId of its own, enters a page, joins a room,
 * changes its profile, leaves and joins again and disconnects, while an
 * observer (through `observerUrl`) in the same places records every event;
 * then every HTTP answer is read. The victim's public id shows up; its
 * clientId nowhere.
 */
async function clientIdStaysPrivate(victimUrl: string, observerUrl: string): Promise<void> {
  const page = key('/anon-private-page');
  const room = key('anon-private-room');
  const observer = await connect(observerUrl, { clientId: clientId('observer') });
  const seen = everything(observer.socket);
  await join(observer.socket, room);
  expect((await request(observer.socket, 'page:watch', { pages: [page] })).ok).toBe(true);
  expect((await request(observer.socket, 'stats:watch', {})).ok).toBe(true);

  const secret = clientId('private-cid');
  const victim = await connect(victimUrl, { clientId: secret });
  const victimId = victim.session.userId;
  expect(victim.session.clientId).toBe(secret);
  const joined = waitFor<Joined>(observer.socket, 'room:joined', (e) => e.room === room && e.member.userId === victimId);
  expect((await request(victim.socket, 'page:enter', { page })).ok).toBe(true);
  await join(victim.socket, room, { name: 'Private' });
  await joined;
  expect((await request(victim.socket, 'room:update', { room, profile: { status: 'busy' } })).ok).toBe(true);

  const answers = await Promise.all(
    [
      `/api/rooms/members?room=${encodeURIComponent(room)}`,
      `/api/pages/count?page=${encodeURIComponent(page)}`,
      '/api/stats',
      '/metrics',
      `/api/pages/badge.svg?page=${encodeURIComponent(page)}`,
    ].map(async (path) => (await get(observerUrl, path)).text),
  );
  expect(answers[0]).toContain(victimId);

  const left = waitFor<Left>(observer.socket, 'room:left', (e) => e.room === room && e.userId === victimId && e.reason === 'leave');
  expect((await request(victim.socket, 'room:leave', { room })).ok).toBe(true);
  await left;
  await join(victim.socket, room);
  const gone = waitFor<Left>(observer.socket, 'room:left', (e) => e.room === room && e.userId === victimId && e.reason === 'disconnect', GRACE_MS + 5000);
  victim.socket.disconnect();
  await gone;

  const everythingSeen = [...seen, ...answers].join('\n');
  expect(everythingSeen).toContain(victimId);
  expect(everythingSeen).not.toContain(secret);
}

describe('anonymous identities, one process', () => {
  const server = useServer({ GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

  it('an attacker who reads a member\'s userId and presents it as its clientId does not become that member', async () => {
    await impersonationFails(server.url, server.url);
  });

  it('a held place is not taken over with the public id: the impostor is a new member, the victim leaves when its grace ends', async () => {
    const room = key('anon-held-room');
    const observer = await connect(server.url, { clientId: clientId('held-observer') });
    await join(observer.socket, room);
    const victim = await connect(server.url, { clientId: clientId('held-victim') });
    // The observer hears of the victim on its own socket, in no order with the victim's ack: waited for before recording.
    const victimSeen = waitFor<Joined>(observer.socket, 'room:joined', (e) => e.room === room);
    const victimAck = await join(victim.socket, room, { name: 'Victim' });
    const victimId = victimAck.self.userId;
    expect((await victimSeen).member.userId).toBe(victimId);
    const joins = record<Joined>(observer.socket, 'room:joined');
    const leaves = record<Left>(observer.socket, 'room:left');
    victim.socket.disconnect();
    const impostor = await connect(server.url, { clientId: victimId });
    const impostorAck = await join(impostor.socket, room, { name: 'Victim' });
    expect(impostorAck.self.userId).not.toBe(victimId);
    // Held, not taken over: the victim is still listed with its one connection.
    expect(impostorAck.members.find((m) => m.userId === victimId)).toEqual(victimAck.self);
    const gone = waitFor<Left>(observer.socket, 'room:left', (e) => e.userId === victimId, GRACE_MS + 5000);
    expect(await gone).toEqual({ room, userId: victimId, reason: 'disconnect', duration: expect.any(Number) });
    expect(joins.map((e) => e.member.userId)).toEqual([impostorAck.self.userId]);
    expect(leaves).toEqual([{ room, userId: victimId, reason: 'disconnect', duration: expect.any(Number) }]);
  });

  it('sends a clientId to no other socket and in no HTTP answer', async () => {
    await clientIdStaysPrivate(server.url, server.url);
  });
});

describe('anonymous identities across restarts of one process', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('keeps every public id across a restart with ANON_ID_SECRET', async () => {
    const id = clientId('restart');
    server = await startServer({ ANON_ID_SECRET });
    const before = await publicIdOf(server.url, id);
    server = await restartServer(server);
    expect(await publicIdOf(server.url, id)).toBe(before);
  });

  it('makes new ids at each start without ANON_ID_SECRET', async () => {
    const id = clientId('restart-random');
    server = await startServer({});
    const before = await publicIdOf(server.url, id);
    server = await restartServer(server);
    expect(await publicIdOf(server.url, id)).not.toBe(before);
  });
});

describe('anonymous identities across processes sharing Redis, without ANON_ID_SECRET', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({ REDIS_URL: redis.url, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' }));
  const { servers } = cluster;

  it('gives a clientId the same public id on every process, one started later included', async () => {
    const id = clientId('cluster');
    const onA = await publicIdOf(servers[0].url, id);
    expect(await publicIdOf(servers[1].url, id)).toBe(onA);
    const later = await cluster.startProcess();
    expect(await publicIdOf(later.url, id)).toBe(onA);
    expect(await publicIdOf(servers[1].url, clientId('cluster-other'))).not.toBe(onA);
  });

  it('an attacker on another process who presents a member\'s userId as its clientId does not become that member', async () => {
    await impersonationFails(servers[0].url, servers[1].url);
  });

  it('sends a clientId to no socket of another process and in no HTTP answer', async () => {
    await clientIdStaysPrivate(servers[0].url, servers[1].url);
  });

  it('keeps the ids after Redis restarts empty: the processes store the shared secret again', async () => {
    const id = clientId('redis-restart');
    const before = await publicIdOf(servers[0].url, id);
    await cluster.redis.stop();
    await cluster.redis.start();
    for (const server of servers) await until(async () => (await get(server.url, '/readyz')).status === 200, 'readyz answers 200', 20_000);
    // A cluster read after the rebuild: the secret, stored again on the same link before it, is in place.
    for (const server of servers) expect((await get(server.url, '/api/stats')).status).toBe(200);
    const later = await cluster.startProcess();
    expect(await publicIdOf(later.url, id)).toBe(before);
    expect(await publicIdOf(servers[1].url, id)).toBe(before);
  }, 60_000);
});

describe('anonymous identities across processes sharing Redis, with ANON_ID_SECRET', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({ REDIS_URL: redis.url, ANON_ID_SECRET }));
  const { servers } = cluster;

  it('gives the same ids on every process, the same as a single process with that secret, after Redis and a process restart', async () => {
    const id = clientId('configured');
    const before = await publicIdOf(servers[0].url, id);
    expect(await publicIdOf(servers[1].url, id)).toBe(before);
    const alone = await startServer({ ANON_ID_SECRET });
    try {
      expect(await publicIdOf(alone.url, id)).toBe(before);
    } finally {
      await alone.stop();
    }
    await cluster.redis.stop();
    await cluster.redis.start();
    servers[1] = await restartServer(servers[1]);
    expect(await publicIdOf(servers[1].url, id)).toBe(before);
  }, 60_000);
});

import {
  clientId,
  connect,
  counts,
  get,
  key,
  metrics,
  pageCount,
  request,
  until,
  untilMetric,
  userToken,
  waitFor,
  type RunningRedis,
  type TestSocket,
  countArrived,
  record,
  countsReceived,
  recordCounts,
  useCluster,
  barrier,
  equals,
} from '@presently/testing';

/**
 * Rooms and the grace period across real server processes sharing one real
 * redis-server: members and `Member.connections` are cluster-wide,
 * `room:joined` goes out for a user's first socket anywhere and `room:left`
 * after its last, a reconnect to another process within the grace period
 * announces nothing, and a process that dies takes its members with it.
 */

const SECRET = 'cluster-rooms-secret-0123456789abcdef';

const GRACE_MS = 3000;

type Member = { userId: string; name: string; status: string; meta: Record<string, unknown>; connections: number; since: number };
type Joined = { room: string; member: Member };
type Left = { room: string; userId: string; reason: string };

const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, JWT_SECRET: SECRET, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

async function user(url: string, sub: string, name = sub): Promise<TestSocket> {
  const { socket } = await connect(url, { token: await userToken(SECRET, sub, { name }) });
  return socket;
}

async function join(socket: TestSocket, room: string, profile?: Record<string, unknown>) {
  const ack = await request(socket, 'room:join', { room, ...(profile && { profile }) });
  expect(ack.ok).toBe(true);
  return ack as { ok: true; room: string; self: Member; members: Member[] };
}

const membersOn = async (url: string, room: string) => (await get<{ members: Member[] }>(url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;

/** A user on `url` in `room`, watching `page`, its `page:count`s recorded: what the tests watch a process go away from. */
async function observer(url: string, room: string, page: string): Promise<TestSocket> {
  const socket = await user(url, 'observer');
  await join(socket, room);
  recordCounts(socket);
  expect((await request(socket, 'page:watch', { pages: [page] })).ok).toBe(true);
  return socket;
}

describe('rooms across processes', () => {
  const cluster = useCluster(3, clusterEnv);
  const { servers } = cluster;

  it('lists the members of every process, announces a user once, and its leave only after its last socket', async () => {
    const room = key('cluster-room');
    const bob = await user(servers[1].url, 'bob', 'Bob');
    await join(bob, room);
    const joined = record<Joined>(bob, 'room:joined');
    const left = record<Left>(bob, 'room:left');

    const alice1 = await user(servers[0].url, 'alice', 'Alice');
    const aliceJoined = waitFor<Joined>(bob, 'room:joined', (e) => e.member.userId === 'alice');
    const ack1 = await join(alice1, room, { status: 'busy' });
    expect(ack1.members.map((m) => m.userId)).toEqual(['bob', 'alice']);
    expect(await aliceJoined).toEqual({ room, member: ack1.self });

    // A second socket of the same user on another process is no news.
    const alice2 = await user(servers[2].url, 'alice', 'Alice');
    const ack2 = await join(alice2, room);
    expect(ack2.self).toEqual({ ...ack1.self, connections: 2 });

    const carol = await user(servers[2].url, 'carol', 'Carol');
    const carolJoined = waitFor<Joined>(bob, 'room:joined', (e) => e.member.userId === 'carol');
    await join(carol, room);
    await carolJoined;
    expect(joined.map((e) => e.member.userId)).toEqual(['alice', 'carol']);
    for (const server of servers) {
      expect((await membersOn(server.url, room)).map((m) => [m.userId, m.connections, m.status])).toEqual([
        ['bob', 1, 'online'],
        ['alice', 2, 'busy'],
        ['carol', 1, 'online'],
      ]);
    }

    // A profile change on one process reaches the others.
    const updated = waitFor<Joined>(bob, 'room:updated', (e) => e.member.userId === 'alice');
    const update = await request(alice2, 'room:update', { room, profile: { status: 'away' } });
    expect(update).toEqual({ ok: true, room, self: { ...ack1.self, status: 'away', connections: 2 } });
    expect((await updated).member.status).toBe('away');

    expect(await request(alice1, 'room:leave', { room })).toEqual({ ok: true, room });
    const carolLeft = waitFor<Left>(bob, 'room:left', (e) => e.userId === 'carol');
    expect(await request(carol, 'room:leave', { room })).toEqual({ ok: true, room });
    expect(await carolLeft).toEqual({ room, userId: 'carol', reason: 'leave', duration: expect.any(Number) });
    expect(left.map((e) => e.userId)).toEqual(['carol']);

    const aliceLeft = waitFor<Left>(bob, 'room:left', (e) => e.userId === 'alice');
    await request(alice2, 'room:leave', { room });
    expect(await aliceLeft).toEqual({ room, userId: 'alice', reason: 'leave', duration: expect.any(Number) });
    expect((await membersOn(servers[0].url, room)).map((m) => m.userId)).toEqual(['bob']);
  });

  it('concurrent joins of one room from every process end exact, with one room:joined per user', async () => {
    const room = key('cluster-crowd');
    const observer = await user(servers[0].url, 'observer');
    await join(observer, room);
    const joined = record<Joined>(observer, 'room:joined');
    const users = Array.from({ length: 10 }, (_, i) => `crowd-${i}`);
    // Every user has a socket on every process, all joining at once.
    const sockets = await Promise.all(users.flatMap((sub) => servers.map((server) => user(server.url, sub))));
    await Promise.all(sockets.map((socket) => join(socket, room)));
    await until(async () => joined.length >= users.length, 'every user was announced');
    const members = await membersOn(servers[1].url, room);
    expect(members).toHaveLength(users.length + 1);
    expect(members.filter((m) => m.userId !== 'observer').every((m) => m.connections === servers.length)).toBe(true);
    const last = waitFor<Left>(observer, 'room:left', (e) => e.userId === 'marker');
    const marker = await user(servers[2].url, 'marker');
    await join(marker, room);
    await request(marker, 'room:leave', { room });
    await last;
    expect(joined.map((e) => e.member.userId).filter((id) => id !== 'marker').sort()).toEqual([...users].sort());
  });
});

describe('large rooms across processes (ROSTER_MAX 4)', () => {
  // Typing lasts the whole test: its end by itself is another test's.
  const cluster = useCluster(2, (redis) => ({ ...clusterEnv(redis), ROSTER_MAX: '4', TYPING_MS: '600000' }));
  const { servers } = cluster;
  type Count = { room: string; total: number };
  type Sync = { room: string; members: Member[]; total: number; typing: string[] };

  it('switches to counts above ROSTER_MAX on every process, and back with one snapshot below 90 % of it', async () => {
    const room = key('cluster-large');
    const names = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];
    // Alternate processes: ann, cat, eve on the first; ben, dan, fay on the second.
    const sockets = await Promise.all(names.map((name, i) => user(servers[i % 2].url, name)));
    const [ann, ben, cat, dan, eve, fay] = sockets;
    const events = sockets.map((socket) => ({
      joined: record<Joined>(socket, 'room:joined'),
      left: record<Left>(socket, 'room:left'),
      updated: record(socket, 'room:updated'),
      syncs: record<Sync>(socket, 'room:sync'),
      typing: record(socket, 'room:typing'),
    }));
    for (const socket of [ann, ben, cat, dan]) await join(socket, room);
    await until(() => events[0].joined.length === 3, 'ann heard of ben, cat and dan');

    // The fifth member crosses the line: counts on both processes, the newcomer included; no room:joined.
    const fiveAtAnn = waitFor<Count>(ann, 'room:count', equals({ room, total: 5 }));
    const fiveAtBen = waitFor<Count>(ben, 'room:count', equals({ room, total: 5 }));
    const fiveAtEve = waitFor<Count>(eve, 'room:count', equals({ room, total: 5 }));
    const eveAck = await join(eve, room);
    expect(eveAck).toMatchObject({ total: 5 });
    expect(eveAck.members.map((m) => m.userId)).toEqual(['ann', 'ben', 'cat', 'dan']);
    await Promise.all([fiveAtAnn, fiveAtBen, fiveAtEve]);

    const sixAtCat = waitFor<Count>(cat, 'room:count', equals({ room, total: 6 }));
    const sixAtDan = waitFor<Count>(dan, 'room:count', equals({ room, total: 6 }));
    expect(await join(fay, room)).toMatchObject({ total: 6 });
    await Promise.all([sixAtCat, sixAtDan]);

    // A profile change is kept, not announced; both processes' HTTP views show it. Typing is kept, not announced.
    expect(await request(ann, 'room:update', { room, profile: { status: 'busy' } })).toMatchObject({ ok: true, self: { status: 'busy' } });
    expect(await request(ben, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    expect((await membersOn(servers[1].url, room))[0]).toMatchObject({ userId: 'ann', status: 'busy' });

    // Leaves while large are counts; 4 is not below 3.6.
    const fourAtBen = waitFor<Count>(ben, 'room:count', equals({ room, total: 4 }));
    await request(fay, 'room:leave', { room });
    await request(eve, 'room:leave', { room });
    await fourAtBen;

    // Dan's leave takes it to 3: one snapshot on both processes instead of his room:left.
    const syncs = [ann, ben, cat].map((socket) => waitFor<Sync>(socket, 'room:sync', (e) => e.room === room));
    await request(dan, 'room:leave', { room });
    for (const sync of await Promise.all(syncs)) {
      expect(sync.members.map((m) => [m.userId, m.status])).toEqual([
        ['ann', 'busy'],
        ['ben', 'online'],
        ['cat', 'online'],
      ]);
      expect([sync.total, sync.typing]).toEqual([3, ['ben']]);
    }

    // Small again: member events as usual, and nothing of the large phase was sent as member events.
    const catLeft = waitFor<Left>(ben, 'room:left', (e) => e.userId === 'cat');
    await request(cat, 'room:leave', { room });
    await catLeft;
    for (const socket of sockets) await barrier(socket);
    // Ann and Ben, the two left in the room, heard of Cat's leave.
    expect(events.flatMap((e) => e.left).map((e) => e.userId)).toEqual(['cat', 'cat']);
    expect(events.flatMap((e) => e.updated)).toEqual([]);
    expect(events.flatMap((e) => e.typing)).toEqual([]);
    expect(events.flatMap((e) => e.joined).map((e) => e.member.userId).sort()).toEqual(['ben', 'cat', 'cat', 'dan', 'dan', 'dan']);
    expect(events.flatMap((e) => e.syncs)).toHaveLength(3);
  });
});

describe('the grace period across processes', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('a socket returning to another process takes the held one\'s place: no room event, no count moving', async () => {
    const page = key('/cluster/grace');
    const room = key('cluster-grace');
    const id = clientId('returning');
    const observer = await user(servers[1].url, 'observer');
    await join(observer, room);
    recordCounts(observer);
    expect((await request(observer, 'page:watch', { pages: [page] })).ok).toBe(true);
    const joined = record<Joined>(observer, 'room:joined');
    const left = record<Left>(observer, 'room:left');

    const { socket: first } = await connect(servers[0].url, { clientId: id });
    await request(first, 'page:enter', { page });
    const firstAck = await join(first, room, { name: 'Returner' });
    await countArrived(observer, counts(page, 1, 1));
    await until(() => joined.length === 1, 'the first join was announced');

    first.disconnect();
    await untilMetric(servers[0].url, 'presently_held_connections', (n) => n === 1);
    const { socket: again } = await connect(servers[1].url, { clientId: id });
    expect(await request(again, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 1) });
    const ack = await join(again, room);
    expect(ack.self).toEqual({ ...firstAck.self, connections: 1 });
    // The same public id on the other process: derived from the clientId with the cluster's one secret.
    expect(ack.self.userId).toBe(firstAck.self.userId);
    // The holder let its held socket go: nothing of it is left to expire.
    await untilMetric(servers[0].url, 'presently_held_connections', (n) => n === 0);
    expect((await metrics(servers[0].url)).presently_connections).toBe(0);
    expect(await pageCount(servers[0].url, page)).toEqual(counts(page, 1, 1));

    // An explicit leave now is the first room:left: nothing was announced in between.
    const leaving = waitFor<Left>(observer, 'room:left');
    await request(again, 'room:leave', { room });
    expect(await leaving).toEqual({ room, userId: firstAck.self.userId, reason: 'leave', duration: expect.any(Number) });
    expect(left).toHaveLength(1);
    expect(joined).toHaveLength(1);
    expect(countsReceived(observer).every((c) => c.viewers === 1 && c.connections === 1)).toBe(true);
  });

  it('a held socket that nobody takes over ends when the grace runs out, with room:left disconnect', async () => {
    const page = key('/cluster/expire');
    const room = key('cluster-expire');
    const observer = await user(servers[1].url, 'observer');
    await join(observer, room);
    recordCounts(observer);
    expect((await request(observer, 'page:watch', { pages: [page] })).ok).toBe(true);
    const { socket: gone, session } = await connect(servers[0].url);
    await request(gone, 'page:enter', { page });
    await join(gone, room);
    await countArrived(observer, counts(page, 1, 1));
    gone.disconnect();
    const leftEvent = await waitFor<Left>(observer, 'room:left', () => true, GRACE_MS + 5000);
    expect(leftEvent).toEqual({ room, userId: session.userId, reason: 'disconnect', duration: expect.any(Number) });
    await countArrived(observer, counts(page, 0, 0));
  });
});

describe('a process that stops or dies, with members', () => {
  const cluster = useCluster(1, clusterEnv);

  it('on SIGTERM hands its users over: one who reconnects elsewhere within the grace period is no news, one who does not leaves after it', async () => {
    const [survivor] = cluster.servers;
    const stopping = await cluster.startProcess();
    const room = key('cluster-handoff');
    const page = key('/cluster/handoff');
    const watcher = await observer(survivor.url, room, page);
    const token = await userToken(SECRET, 'fran', { name: 'Fran' });
    const { socket: fran } = await connect(stopping.url, { token, clientId: clientId('fran') });
    const gus = await user(stopping.url, 'gus');
    for (const socket of [fran, gus]) {
      await join(socket, room);
      await request(socket, 'page:enter', { page });
    }
    await countArrived(watcher, counts(page, 2, 2));
    const left = record<Left>(watcher, 'room:left');

    // Fran's client reconnects to the other process as soon as its connection closes (a load balancer would).
    const franBack = new Promise<TestSocket>((resolve) =>
      fran.once('disconnect', async () => {
        const { socket } = await connect(survivor.url, { token, clientId: clientId('fran') });
        await join(socket, room);
        await request(socket, 'page:enter', { page });
        resolve(socket);
      }),
    );
    stopping.process.kill('SIGTERM');
    await franBack;
    expect(await waitFor<Left>(watcher, 'room:left', (e) => e.userId === 'gus', 20_000)).toEqual({ room, userId: 'gus', reason: 'disconnect', duration: expect.any(Number) });
    await stopping.exited;
    expect(stopping.process.exitCode).toBe(0);
    await countArrived(watcher, counts(page, 1, 1));
    expect(left.map((e) => e.userId)).toEqual(['gus']);
    expect(countsReceived(watcher).filter((c) => c.page === page).every((c) => c.viewers >= 1)).toBe(true);
    expect((await membersOn(survivor.url, room)).map((m) => [m.userId, m.connections])).toEqual([
      ['observer', 1],
      ['fran', 1],
    ]);
  });

  it('when it dies, its members leave with reason node-down, without grace, and the counts drop', async () => {
    const [survivor] = cluster.servers;
    const victim = await cluster.startProcess();
    const room = key('cluster-down');
    const page = key('/cluster/down');
    const watcher = await observer(survivor.url, room, page);
    const dana = await user(victim.url, 'dana');
    await join(dana, room);
    await request(dana, 'page:enter', { page });
    // A user with sockets on both processes stays.
    const erin1 = await user(victim.url, 'erin');
    const erin2 = await user(survivor.url, 'erin');
    await join(erin1, room);
    await join(erin2, room);
    await countArrived(watcher, counts(page, 1, 1));
    const left = record<Left>(watcher, 'room:left');

    victim.process.kill('SIGKILL');
    await victim.exited;
    expect(await waitFor<Left>(watcher, 'room:left', () => true, 20_000)).toEqual({ room, userId: 'dana', reason: 'node-down', duration: expect.any(Number) });
    await countArrived(watcher, counts(page, 0, 0));
    expect((await membersOn(survivor.url, room)).map((m) => [m.userId, m.connections])).toEqual([
      ['observer', 1],
      ['erin', 1],
    ]);
    expect(left.map((e) => e.userId)).toEqual(['dana']);
    expect(survivor.process.exitCode).toBeNull();
  });
});

import {
  clientId,
  connect,
  counts,
  equals,
  get,
  key,
  openStream,
  pageCount,
  request,
  until,
  waitFor,
  type RunningRedis,
  type RunningServer,
  countArrived,
  countsReceived,
  useCluster,
  enterPage,
  watchPage,
} from '@presently/testing';

/**
 * Several real server processes sharing one real redis-server: every figure
 * is cluster-wide, and the processes survive one of them dying and Redis
 * restarting.
 */

type Counts = { page: string; viewers: number; connections: number; active: number };
type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };


const GRACE_MS = 1000;
const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });



const countsOn = (servers: RunningServer[], page: string) => Promise.all(servers.map((server) => pageCount(server.url, page)));

describe('pages across processes', () => {
  const cluster = useCluster(3, clusterEnv);
  const { servers } = cluster;

  it('counts one clientId on two processes once, adds up connections, and every process answers the same', async () => {
    const page = key('/cluster/dedupe');
    const watching = await watchPage(servers[0].url, page);
    const same = clientId();
    await enterPage(servers[0].url, page, same);
    await enterPage(servers[1].url, page, same);
    const { socket: other } = await connect(servers[2].url);
    expect(await request(other, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 2, 3) });
    await countArrived(watching, counts(page, 2, 3));
    expect(await countsOn(servers, page)).toEqual([counts(page, 2, 3), counts(page, 2, 3), counts(page, 2, 3)]);
  });

  it('a leave on one process reaches the subscribers and the answers of the others', async () => {
    const page = key('/cluster/leave');
    const watching = await watchPage(servers[2].url, page);
    const a = await enterPage(servers[0].url, page);
    await enterPage(servers[1].url, page);
    await countArrived(watching, counts(page, 2, 2));
    countsReceived(watching).length = 0;
    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    await countArrived(watching, counts(page, 1, 1));
    expect(await countsOn(servers, page)).toEqual([counts(page, 1, 1), counts(page, 1, 1), counts(page, 1, 1)]);
    const ack = await request(watching, 'page:watch', { pages: [page] });
    expect(ack).toEqual({ ok: true, counts: [counts(page, 1, 1)] });
  });

  it('stats:watch, stats and /api/stats answer the figures of every process', async () => {
    const page = key('/cluster/top');
    for (const server of servers) await enterPage(server.url, page);
    const { socket: statsWatcher } = await connect(servers[1].url);
    const ack = await request<{ ok: boolean } & Stats>(statsWatcher, 'stats:watch', {});
    expect(ack.ok).toBe(true);
    expect(ack.top).toContainEqual({ page, viewers: 3 });
    expect(ack.online.connections).toBeGreaterThanOrEqual(4);
    const http = await get<Stats>(servers[2].url, '/api/stats');
    expect(http.body.top).toContainEqual({ page, viewers: 3 });
    await enterPage(servers[0].url, page);
    const stats = await waitFor<Stats>(statsWatcher, 'stats', (s) => s.top.some((entry) => entry.page === page && entry.viewers === 4));
    expect(stats.online.visitors).toBeGreaterThanOrEqual(5);
  });

  it('a live stream on one process counts with the sockets of another and hears their changes', async () => {
    const page = key('/cluster/stream');
    await enterPage(servers[0].url, page);
    const stream = await openStream(servers[1].url, { page, clientId: clientId('stream') });
    expect(await stream.next<Counts>('count')).toEqual(counts(page, 2, 2));
    await enterPage(servers[2].url, page);
    await stream.next<Counts>('count', equals(counts(page, 3, 3)));
  });

  it('concurrent enters on one page from every process end exact, and so do the leaves', async () => {
    const page = key('/cluster/hot');
    const perServer = 20;
    const sockets = await Promise.all(
      servers.flatMap((server) => Array.from({ length: perServer }, () => connect(server.url).then(({ socket }) => socket))),
    );
    const watching = await watchPage(servers[0].url, page);
    const acks = await Promise.all(sockets.map((socket) => request(socket, 'page:enter', { page })));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const total = servers.length * perServer;
    await countArrived(watching, counts(page, total, total));
    expect(await countsOn(servers, page)).toEqual(servers.map(() => counts(page, total, total)));
    await Promise.all(sockets.map((socket) => request(socket, 'page:leave', { page })));
    await countArrived(watching, counts(page, 0, 0));
    expect(await countsOn(servers, page)).toEqual(servers.map(() => counts(page, 0, 0)));
  });
});

describe('a process that dies', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('is noticed by the others, which withdraw its presences (no grace) and announce the new counts', async () => {
    const victim = await cluster.startProcess();
    const page = key('/cluster/kill');
    const watching = await watchPage(servers[0].url, page);
    await enterPage(servers[1].url, page);
    await enterPage(victim.url, page);
    await enterPage(victim.url, page);
    await countArrived(watching, counts(page, 3, 3));
    countsReceived(watching).length = 0;
    victim.process.kill('SIGKILL');
    await victim.exited;
    await countArrived(watching, counts(page, 1, 1), 20_000);
    expect(await countsOn(servers, page)).toEqual([counts(page, 1, 1), counts(page, 1, 1)]);
    expect(servers.every((server) => server.process.exitCode === null)).toBe(true);
  });
});

describe('Redis restarting', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  const status = async (url: string, path: string) => (await get(url, path)).status;

  it('leaves the processes serving, not ready meanwhile, and the counts exact again once it is back', async () => {
    const page = key('/cluster/restart');
    const room = key('cluster-restart');
    const idA = clientId();
    const a = await enterPage(servers[0].url, page, idA);
    const b = await enterPage(servers[1].url, page);
    const aJoin = await request(a, 'room:join', { room });
    expect(aJoin.ok).toBe(true);
    const userA: string = aJoin.self.userId;
    expect((await request(b, 'room:join', { room })).ok).toBe(true);
    expect(await countsOn(servers, page)).toEqual([counts(page, 2, 2), counts(page, 2, 2)]);
    for (const server of servers) expect(await status(server.url, '/readyz')).toBe(200);

    await cluster.redis.stop();
    for (const server of servers) await until(async () => (await status(server.url, '/readyz')) === 503, 'readyz answers 503');
    for (const server of servers) expect(await status(server.url, '/healthz')).toBe(200);
    // Local sockets are still served and acked while Redis is away.
    await enterPage(servers[0].url, page);
    expect(await request(b, 'page:leave', { page })).toEqual({ ok: true, page });
    expect(await request(b, 'room:leave', { room })).toEqual({ ok: true, room });
    expect((await request(a, 'page:enter', { page })).ok).toBe(true);

    await cluster.redis.start();
    for (const server of servers) await until(async () => (await status(server.url, '/readyz')) === 200, 'readyz answers 200', 20_000);
    await until(
      async () => (await countsOn(servers, page)).every((c) => c.viewers === 2 && c.connections === 2),
      'both processes answer the rebuilt counts',
      20_000,
    );
    for (const server of servers) {
      const members = (await get<{ members: Array<{ userId: string; connections: number }> }>(server.url, `/api/rooms/members?room=${room}`)).body.members;
      expect(members.map((m) => [m.userId, m.connections])).toEqual([[userA, 1]]);
    }
    const watching = await watchPage(servers[1].url, page);
    expect(await request(watching, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 2, 2)] });
    expect(servers.every((server) => server.process.exitCode === null)).toBe(true);
  });
});

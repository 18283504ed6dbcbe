import {
  clientId,
  connect,
  countArrived,
  counts,
  countsReceived,
  get,
  key,
  metricSamples,
  record,
  request,
  sampleValue,
  until,
  useCluster,
  type RunningRedis,
  type RunningServer,
  type TestSocket,
  enterPage,
  watchPage,
} from '@presently/testing';

/**
 * Two real server processes and a real redis-server: what every socket holds
 * after Redis comes back empty, and what `/metrics` counts in cluster mode.
 */

type Member = { userId: string };
type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };
type Sync = { room: string; members: Member[] };
type RoomCount = { room: string; total: number };

const ROSTER_MAX = 4;
const clusterEnv = (redis: RunningRedis) => ({
  REDIS_URL: redis.url,
  GRACE_MS: '1000',
  COUNT_INTERVAL_MS: '50',
  ROSTER_MAX: String(ROSTER_MAX),
});

/** Generous: the expected bound (about COUNT_INTERVAL_MS + 500 ms after the last rebuild) is in the benchmark report. */
const AFTER_REBUILD_MS = 20_000;

const status = async (url: string, path: string) => (await get(url, path)).status;



async function member(url: string, room: string): Promise<{ socket: TestSocket; userId: string }> {
  const id = clientId('member');
  const { socket, session } = await connect(url, { clientId: id });
  expect((await request(socket, 'room:join', { room })).ok).toBe(true);
  return { socket, userId: session.userId };
}

async function leaveAndClose(socket: TestSocket, event: 'page:leave' | 'room:leave', payload: object): Promise<void> {
  expect((await request(socket, event, payload)).ok).toBe(true);
  socket.disconnect();
}

const userIds = (members: Member[]) => members.map((m) => m.userId).sort();
const equalCounts = (a: { viewers: number; connections: number } | undefined, b: { viewers: number; connections: number }) =>
  a !== undefined && a.viewers === b.viewers && a.connections === b.connections;

describe('Redis restarting empty', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('every socket that follows a page, the stats or a room receives the true figures after the rebuilds', async () => {
    const [a, b] = servers;
    const page = key('/cluster/resync');
    const room = key('resync-small');
    const large = key('resync-large');

    // A page with 5 viewers (3 on A, 2 on B) and watchers on both.
    const watchers = [await watchPage(a.url, page), await watchPage(b.url, page)];
    const viewersOnA = [await enterPage(a.url, page), await enterPage(a.url, page), await enterPage(a.url, page)];
    await enterPage(b.url, page);
    await enterPage(b.url, page);
    for (const w of watchers) await countArrived(w, counts(page, 5, 5));

    // Stats watchers on both.
    const statsWatchers: TestSocket[] = [];
    for (const server of servers) {
      const { socket } = await connect(server.url);
      expect((await request<{ ok: boolean } & Stats>(socket, 'stats:watch', {})).top).toContainEqual({ page, viewers: 5 });
      statsWatchers.push(socket);
    }
    const statsSeen = statsWatchers.map((socket) => record<Stats>(socket, 'stats'));

    // A small room with members on both processes; one on A will leave while Redis is away.
    const stays = [await member(a.url, room), await member(b.url, room)];
    const goes = await member(a.url, room);
    const syncs = stays.map(({ socket }) => record<Sync>(socket, 'room:sync'));

    // A large room (above ROSTER_MAX) with members on both; one on A will leave, and it stays above.
    const largeMembers = [await member(a.url, large), await member(b.url, large), await member(b.url, large), await member(a.url, large), await member(b.url, large)];
    const roomCounts = largeMembers.map(({ socket }) => record<RoomCount>(socket, 'room:count'));
    const largeGoes = await member(a.url, large);
    const last = <T>(list: T[]): T | undefined => list[list.length - 1];
    for (const seen of roomCounts) await until(() => last(seen)?.total === 6, 'every member of the large room holds 6');

    await cluster.redis.stop();
    for (const server of servers) await until(async () => (await status(server.url, '/readyz')) === 503, 'readyz answers 503');
    await leaveAndClose(viewersOnA[0], 'page:leave', { page });
    await leaveAndClose(goes.socket, 'room:leave', { room });
    await leaveAndClose(largeGoes.socket, 'room:leave', { room: large });

    await cluster.redis.start();
    for (const server of servers) await until(async () => (await status(server.url, '/readyz')) === 200, 'readyz answers 200', AFTER_REBUILD_MS);

    // What each socket holds last is the truth: a process that rebuilt first may have sent its own share meanwhile.
    for (const w of watchers) {
      const seen = countsReceived(w);
      await until(() => equalCounts(last(seen), counts(page, 4, 4)), `the watcher's last page:count is 4 (saw ${JSON.stringify(seen)})`, AFTER_REBUILD_MS);
    }
    for (const seen of statsSeen) {
      await until(() => last(seen)?.top.find((t) => t.page === page)?.viewers === 4, 'the last stats show the page at 4 viewers', AFTER_REBUILD_MS);
    }
    const expected = userIds([{ userId: stays[0].userId }, { userId: stays[1].userId }]).join();
    for (const seen of syncs) {
      await until(() => userIds(last(seen)?.members ?? []).join() === expected, 'the last room:sync lists the members who stayed', AFTER_REBUILD_MS);
    }
    for (const seen of roomCounts) {
      await until(() => last(seen)?.total === 5, 'the last room:count of the large room is 5', AFTER_REBUILD_MS);
    }
    for (const server of servers) expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(page)}`)).body).toEqual(counts(page, 4, 4));
  });
});

describe('metrics in cluster mode', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  const sent = async (server: RunningServer, event: string) =>
    sampleValue(await metricSamples(server.url), 'presently_events_out_total', { event }) ?? 0;

  it('count the page:count and stats each process really sent to its own sockets', async () => {
    const [a, b] = servers;
    const page = key('/cluster/metrics');
    const before = { a: await sent(a, 'page:count'), b: await sent(b, 'page:count'), statsA: await sent(a, 'stats') };

    // On A: a watcher and a stats watcher; on B: the sockets that enter.
    const w = await watchPage(a.url, page);
    const { socket: statsWatcher } = await connect(a.url);
    const statsSeen = record<Stats>(statsWatcher, 'stats');
    expect((await request(statsWatcher, 'stats:watch', {})).ok).toBe(true);
    const first = await enterPage(b.url, page);
    const firstSeen = countsReceived(first);
    await countArrived(w, counts(page, 1, 1));
    await until(() => statsSeen.some((s) => s.top.some((t) => t.page === page && t.viewers === 1)), 'stats with 1 viewer');
    const second = await enterPage(b.url, page);
    await countArrived(w, counts(page, 2, 2));
    await countArrived(first, counts(page, 2, 2));
    await countArrived(second, counts(page, 2, 2));
    await until(() => statsSeen.some((s) => s.top.some((t) => t.page === page && t.viewers === 2)), 'stats with 2 viewers');

    // A's broadcasts reach one socket each (the watcher, the stats watcher); `first` was in B's channel for each of B's.
    const matches = async () =>
      (await sent(a, 'page:count')) - before.a === countsReceived(w).length &&
      (await sent(b, 'page:count')) - before.b === firstSeen.length &&
      (await sent(a, 'stats')) - before.statsA === statsSeen.length;
    await until(matches, 'the metrics count the events the sockets received');
    expect(countsReceived(w).length).toBeGreaterThanOrEqual(2);
  });
});

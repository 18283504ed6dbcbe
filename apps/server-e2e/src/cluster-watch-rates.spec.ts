import {
  barrier,
  connect,
  counts,
  key,
  openStream,
  pageCount,
  record,
  request,
  until,
  useCluster,
  type PageCounts,
  type RunningRedis,
} from '@presently/testing';
import { enter, heardBy, LONG, SHORT, type Stats, watcher } from './support/watch-rates';

/**
 * `every` with two processes sharing a real redis-server: each process
 * sends the cluster-wide counts to its own watchers at the rate they chose,
 * one class per (page, rate) on each process.
 */

const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, GRACE_MS: '1000', COUNT_INTERVAL_MS: '50' });

describe('delivery rate chosen by the watcher, across processes', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('sends a slow watcher the first change made on another process at once, then nothing for its window, and the last value when a window ends', async () => {
    const page = key('/cluster-every/window');
    const slowB = await watcher(servers[1].url, page, LONG);
    const slowA = await watcher(servers[0].url, page, LONG);
    const shortB = await watcher(servers[1].url, page, SHORT);
    const fastB = await watcher(servers[1].url, page);

    await enter(servers[0].url, page);
    for (const w of [slowA, slowB, shortB, fastB]) await heardBy(w.heard, page, 1);
    for (const [n, server] of [[2, servers[0]], [3, servers[1]], [4, servers[0]]] as const) {
      await enter(server.url, page);
      await heardBy(fastB.heard, page, n);
    }
    await heardBy(shortB.heard, page, 4, SHORT + 10_000);
    await barrier(slowA.socket);
    await barrier(slowB.socket);
    expect(fastB.heard).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3), counts(page, 4, 4)]);
    expect(slowB.heard).toEqual([counts(page, 1, 1)]);
    expect(slowA.heard).toEqual([counts(page, 1, 1)]);
    expect(shortB.heard.at(-1)).toEqual(counts(page, 4, 4));
    expect(await pageCount(servers[1].url, page)).toEqual(counts(page, 4, 4));
  });

  it('sends a socket that entered the page at the page\'s own rate, and replaces the rate when it watches again', async () => {
    const page = key('/cluster-every/entered');
    const { socket: both } = await connect(servers[1].url);
    const heard = record<PageCounts>(both, 'page:count');
    await request(both, 'page:watch', { pages: [page], every: LONG });
    expect(await request(both, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 1) });
    for (const n of [2, 3]) {
      await enter(servers[0].url, page);
      await heardBy(heard, page, n);
    }

    const other = await watcher(servers[1].url, page, LONG);
    expect(other.heard).toEqual([]);
    await enter(servers[0].url, page);
    await heardBy(other.heard, page, 4);
    await heardBy(heard, page, 4);
    // Back to the page's own rate: the next changes arrive each.
    expect(await request(other.socket, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 4, 4)] });
    for (const n of [5, 6]) {
      await enter(servers[0].url, page);
      await heardBy(other.heard, page, n);
    }
  });

  it('sends stats at the rate the watcher chose, with the figures of every process', async () => {
    const page = key('/cluster-every/stats');
    const { socket: slow } = await connect(servers[1].url);
    const { socket: fast } = await connect(servers[1].url);
    const slowHeard = record<Stats>(slow, 'stats');
    const fastHeard = record<Stats>(fast, 'stats');
    expect(await request(fast, 'stats:watch', {})).toMatchObject({ ok: true });
    expect(await request(slow, 'stats:watch', { every: LONG })).toMatchObject({ ok: true });
    const viewersOf = (stats: Stats) => stats.top.find((t) => t.page === page)?.viewers ?? 0;

    await enter(servers[0].url, page);
    await until(() => slowHeard.length > 0, 'the slow stats watcher heard a change', 10_000);
    await until(() => fastHeard.some((s) => viewersOf(s) === 1), 'stats with 1 viewer', 10_000);
    await enter(servers[0].url, page);
    await until(() => fastHeard.some((s) => viewersOf(s) === 2), 'stats with 2 viewers', 10_000);
    await request(slow, 'page:unwatch', { pages: ['/cluster-every/nothing'] });
    expect(slowHeard).toHaveLength(1);
  });

  it('sends an SSE reader on one process the changes of the other at its chosen rate', async () => {
    const page = key('/cluster-every/sse');
    const stream = await openStream(servers[1].url, { page, query: `every=${SHORT}` });
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
    await enter(servers[0].url, page);
    expect(await stream.next('count')).toEqual(counts(page, 2, 2));
    await enter(servers[0].url, page);
    await enter(servers[0].url, page);
    await stream.next('count', (c: PageCounts) => c.viewers === 4, SHORT + 10_000);
    const streamed = stream.events.filter((e) => e.event === 'count').map((e) => e.data);
    expect(streamed.at(-1)).toEqual(counts(page, 4, 4));
    expect(streamed.length).toBeLessThanOrEqual(4);
  });

  it('sends a hidden watcher at a rate nothing of the other process\'s changes, then the fresh count before its ack, then its class at its rate again', async () => {
    const page = key('/cluster-every/hidden');
    const slowA = await watcher(servers[0].url, page, LONG);
    const fastA = await watcher(servers[0].url, page);
    expect(await request(slowA.socket, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });

    // Changes on the other process while it is hidden: its own process's default-rate watcher hears them, it nothing (its ack proves it).
    await enter(servers[1].url, page);
    await heardBy(fastA.heard, page, 1);
    await enter(servers[1].url, page);
    await heardBy(fastA.heard, page, 2);
    expect(await request(slowA.socket, 'presence:activity', { state: 'active' })).toEqual({ ok: true, state: 'active' });
    // Back: the fresh cluster-wide count, once, before its ack, whatever its class's window.
    expect(slowA.heard).toEqual([counts(page, 2, 2)]);

    // Its class again: the next change at once, then nothing for the window.
    await enter(servers[1].url, page);
    await heardBy(slowA.heard, page, 3);
    await enter(servers[0].url, page);
    await heardBy(fastA.heard, page, 4);
    await barrier(slowA.socket);
    expect(slowA.heard).toEqual([counts(page, 2, 2), counts(page, 3, 3)]);
    expect(await pageCount(servers[1].url, page)).toEqual(counts(page, 4, 4));
  });
});

import { clientId, connect, get, key, pageCount, request, until, useCluster, type RunningRedis, type TestSocket } from '@presently/testing';
import { expectWellFormed, type History, minuteOf } from './support/history';

/**
 * "Occupancy history" across two real server processes sharing one real
 * redis-server: the page scripts that decide a page's cluster-wide viewers
 * keep its minute buckets by Redis's clock, so the peak is exact across
 * processes and every process answers the same history; a process that goes
 * keeps the peak it made; a Redis that restarts empty starts the history
 * again from the rebuilt viewers. Means depend on the wall clock: only their
 * bounds are checked.
 */

/** Generous: the expected bound (about COUNT_INTERVAL_MS + 500 ms after the last rebuild) is in the benchmark report. */
const AFTER_REBUILD_MS = 20_000;

const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, GRACE_MS: '1000', COUNT_INTERVAL_MS: '50' });
const peakOf = (history: History) => Math.max(0, ...history.points.map((p) => p.peak));

async function history(url: string, page: string): Promise<History> {
  const answer = await get<History>(url, `/api/pages/history?page=${encodeURIComponent(page)}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function enter(url: string, page: string, id = clientId()): Promise<TestSocket> {
  const { socket } = await connect(url, { clientId: id });
  expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });
  return socket;
}

describe('occupancy history across processes', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('has the exact cluster-wide peak, viewers on both processes, a browser on both counted once; both processes answer it', async () => {
    const [a, b] = servers;
    const page = key('/cluster/history');
    const from = Date.now();
    const both = clientId('both');
    await enter(a.url, page, both);
    await enter(b.url, page, both);
    await enter(a.url, page);
    const leaving = await enter(b.url, page);
    await enter(b.url, page);
    // 4 viewers at the peak (5 connections); one leaves: 3.
    expect(await request(leaving, 'page:leave', { page })).toMatchObject({ ok: true });
    const readAt = Date.now();
    const [fromA, fromB] = [await history(a.url, page), await history(b.url, page)];
    const to = Date.now();
    for (const answer of [fromA, fromB]) {
      expectWellFormed(answer, page, from, to);
      expect(peakOf(answer)).toBe(4);
      const current = answer.points.at(-1)!;
      expect(current.t).toBeGreaterThanOrEqual(minuteOf(readAt));
      expect(current.peak).toBeGreaterThanOrEqual(3);
      // The mean is over the part of the minute that has passed, viewers or not: the page had at most 4 viewers, and only since `from`
      // (a page with viewers for a few ms of a long minute rounds to 0; the weighting itself is unit-tested on the injected clock).
      if (readAt > current.t) expect(current.mean).toBeLessThanOrEqual((4 * (to - Math.max(from, current.t))) / (readAt - current.t) + 0.005);
    }
    // The same minutes and peaks, whichever process is asked.
    const minutes = (answer: History) => answer.points.map(({ t, peak }) => [t, peak]);
    if (minuteOf(readAt) === minuteOf(to)) expect(minutes(fromA)).toEqual(minutes(fromB));
  });

  it('keeps the peak a process made after that process is gone, and follows the viewers left', async () => {
    const [a] = servers;
    const extra = await cluster.startProcess();
    const page = key('/cluster/history-gone');
    const from = Date.now();
    await enter(a.url, page);
    await enter(extra.url, page);
    await enter(extra.url, page);
    expect(await extra.stop()).toBe(0);
    await until(async () => (await pageCount(a.url, page)).viewers === 1, 'the stopped process’s viewers are withdrawn', AFTER_REBUILD_MS);
    const answer = await history(a.url, page);
    expectWellFormed(answer, page, from, Date.now());
    expect(peakOf(answer)).toBe(3);
    expect(answer.points.at(-1)!.peak).toBeGreaterThanOrEqual(1);
  });

  it('after Redis restarts empty, starts again from the rebuilt viewers, whole and well-formed', async () => {
    const [a, b] = servers;
    const page = key('/cluster/history-restart');
    await enter(a.url, page);
    await enter(b.url, page);
    expect(peakOf(await history(a.url, page))).toBe(2);

    await cluster.redis.stop();
    for (const server of servers) await until(async () => (await get(server.url, '/readyz')).status === 503, 'readyz answers 503');
    const restarted = Date.now();
    await cluster.redis.start();
    for (const server of servers) await until(async () => (await get(server.url, '/readyz')).status === 200, 'readyz answers 200', AFTER_REBUILD_MS);
    await until(async () => (await pageCount(a.url, page)).viewers === 2, 'both viewers are rebuilt', AFTER_REBUILD_MS);

    for (const server of servers) {
      const answer = await history(server.url, page);
      // What Redis lost is gone; what the rebuild put back is counted from then on.
      expectWellFormed(answer, page, restarted, Date.now());
      expect(peakOf(answer)).toBe(2);
    }
  });
});

describe('occupancy history of the busiest pages across processes (HISTORY_PAGES)', () => {
  const cluster = useCluster(2, (redis) => ({ ...clusterEnv(redis), HISTORY_PAGES: '1' }));
  const { servers } = cluster;

  it('a page busier than the one keeping history takes its place; a tie does not', async () => {
    const [a, b] = servers;
    const busy = key('/cluster/history-busy');
    const rising = key('/cluster/history-rising');
    await enter(a.url, busy);
    await enter(b.url, busy);
    await enter(a.url, rising);
    await enter(b.url, rising);
    expect(peakOf(await history(b.url, busy))).toBe(2);
    expect((await history(a.url, rising)).points).toEqual([]);
    await enter(b.url, rising);
    expect((await history(a.url, busy)).points).toEqual([]);
    expect(peakOf(await history(a.url, rising))).toBe(3);
  });
});

import type { PageCounts, PageWatchAck } from '@presently/protocol';
import { failure, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { round } from '../lib/histogram';
import { benchRedis } from '../lib/redis';
import { check, figure, type Scenario, type TargetOutcome } from '../lib/scenario';

const PAGE = '/resync';
const PROCESSES = 2;
/** The longest the figures may take to be exact again before watchers are counted stale. */
const SETTLE_MS = 20_000;
const POLL_MS = 10;

/** The name of the cluster in the table. */
const NAME = `presently×${PROCESSES}`;

/** What one watcher holds: its last `page:count` of the page, and when it arrived. */
interface Held {
  viewers: number;
  at: number;
  messages: number;
}

/**
 * `resync`: two processes sharing presence through a `redis-server` that
 * the harness restarts empty. Watchers of one page on both processes hold
 * its count; while Redis is down, one viewer leaves; Redis starts again
 * and both processes rebuild. Measured: how long after Redis is back, and
 * after the last process rebuilt (its `/readyz` answers 200 again), every
 * watcher holds the true count, and how many never do.
 */
export const resync: Scenario<'watchers' | 'viewers'> = {
  name: 'resync',
  parameters: {
    watchers: { full: 1000, quick: 6, scaled: true, help: 'sockets watching the page, spread over both processes' },
    viewers: { full: 100, quick: 4, scaled: true, help: 'sockets on the page, spread over both processes' },
  },
  describe: (p) => `${p.watchers} watchers and ${p.viewers} viewers of one page on ${PROCESSES} processes; Redis restarted empty while one viewer leaves`,
  rows: [
    { key: 'watchers', label: 'watchers' },
    { key: 'restartToExactMs', label: 'Redis back → every watcher exact (ms)' },
    { key: 'lastRebuildToExactMs', label: 'last rebuild → every watcher exact (ms)' },
    { key: 'staleWatchers', label: `watchers not exact after ${SETTLE_MS / 1000} s` },
    { key: 'messagesPerWatcher', label: 'page:count per watcher during the recovery' },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('the resync scenario runs Presently: keep it in --targets');
    const redis = await benchRedis(context.redisUrl);
    context.cleanup(redis.stop);
    const restart = redis.restart;
    if (!restart) throw new Error('resync restarts its own redis-server: leave out --redis-url');
    const target = await start({ ...presently, name: NAME, processes: PROCESSES, env: { ...presently.env, REDIS_URL: redis.url } });
    const fleet = new Fleet(context.addresses, 'resync');
    context.cleanup(() => fleet.close());
    const url = (i: number) => target.urls[i % target.urls.length];

    const held: Held[] = [];
    await pool(p.watchers, context.concurrency, async (i) => {
      const socket = await fleet.connect(url(i), i);
      if (!socket) throw new Error('a watcher could not connect');
      const mine: Held = { viewers: 0, at: 0, messages: 0 };
      socket.on('page:count', (counts: PageCounts) => {
        if (counts.page !== PAGE) return;
        mine.viewers = counts.viewers;
        mine.at = performance.now();
        mine.messages++;
      });
      const failed = failure(await request<PageWatchAck>(socket, 'page:watch', { pages: [PAGE] }));
      if (failed) throw new Error(`page:watch failed: ${failed}`);
      held.push(mine);
    });
    const viewers: BenchSocket[] = [];
    await pool(p.viewers, context.concurrency, async (i) => {
      const socket = await fleet.connect(url(i), p.watchers + i);
      if (!socket) throw new Error('a viewer could not connect');
      const failed = failure(await request(socket, 'page:enter', { page: PAGE }));
      if (failed) throw new Error(`page:enter failed: ${failed}`);
      viewers.push(socket);
    });
    await until(() => held.every((h) => h.viewers === p.viewers), SETTLE_MS, 'every watcher holds the count before the restart');

    await restart(async () => {
      for (const u of target.urls) await untilReady(u, 503);
      const failed = failure(await request(viewers[0], 'page:leave', { page: PAGE }));
      if (failed) throw new Error(`page:leave failed: ${failed}`);
    });
    const back = performance.now();
    for (const h of held) h.messages = 0;
    const rebuilt = await Promise.all(target.urls.map(async (u) => (await untilReady(u, 200), performance.now())));
    const truth = p.viewers - 1;
    const exact = await until(() => held.every((h) => h.viewers === truth), SETTLE_MS, '').then(
      () => true,
      () => false,
    );
    const lastAt = Math.max(...held.map((h) => h.at));
    const outcome: TargetOutcome = {
      figures: {
        watchers: held.length,
        restartToExactMs: exact ? round(lastAt - back, 0) : null,
        lastRebuildToExactMs: exact ? round(Math.max(0, lastAt - Math.max(...rebuilt)), 0) : null,
        staleWatchers: held.filter((h) => h.viewers !== truth).length,
        messagesPerWatcher: round(held.reduce((n, h) => n + h.messages, 0) / held.length, 2),
      },
      notes: exact ? [] : [`not every watcher held ${truth} viewers ${SETTLE_MS / 1000} s after Redis came back`],
    };
    return { [NAME]: outcome };
  },

  checks(results, _p, context) {
    const f = (key: string) => figure(results, NAME, key);
    const bound = context.countIntervalMs + 500;
    return [
      check('every watcher exact again', [f('staleWatchers')], (n) => `${n} stale`, (n) => n === 0),
      check(`exact within COUNT_INTERVAL_MS + 500 ms (${bound} ms) of the last rebuild`, [f('lastRebuildToExactMs')], (ms) => `${ms} ms`, (ms) => ms <= bound),
    ];
  },
};

/** Polls `check` until it holds; rejects with `what` after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Resolves once the process's `/readyz` answers `status`. */
async function untilReady(url: string, status: number): Promise<void> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    const answer = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (answer === status) return;
    if (performance.now() > deadline) throw new Error(`${url}/readyz did not answer ${status}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

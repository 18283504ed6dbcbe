import type { PageCounts, PageEnterAck, PageWatchAck } from '@presently/protocol';
import { fleetNotes, serverFigures, warmUp } from '../lib/common';
import { Activity, delay, failure, Failures, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { LatencyHistogram, round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { check, figure, type Scenario } from '../lib/scenario';

const HOT_PAGE = '/hot';

/** What one watcher saw during the join phase: when, and the connections each count said. */
interface Sightings {
  at: number[];
  connections: number[];
}

/**
 * `hot`: W sockets `page:watch` one page, then J joiners `page:enter` it at
 * R per second. Messages per watcher (coalescing), and the latency from a
 * joiner's ack until every watcher has seen a count that includes it (the
 * page only grows, so "includes it" is `connections` ≥ the joiner's acked
 * `connections`).
 */
export const hot: Scenario<'watchers' | 'joiners' | 'joinRate'> = {
  name: 'hot',
  parameters: {
    watchers: { full: 2000, quick: 30, scaled: true, help: 'sockets watching the hot page' },
    joiners: { full: 300, quick: 10, scaled: true, help: 'sockets entering it, one after another' },
    joinRate: { full: 100, quick: 50, help: 'joins per second' },
  },
  describe: (p) => `${p.watchers} watchers on one page, then ${p.joiners} joiners at ${p.joinRate}/s`,
  rows: [
    { key: 'joins', label: 'joins acked' },
    { key: 'joinPhaseMs', label: 'join phase (ms)' },
    { key: 'messagesPerWatcher', label: 'page:count per watcher (mean)', ratio: true },
    { key: 'messagesPerWatcherMax', label: 'page:count per watcher (max)', ratio: true },
    { key: 'seenP50Ms', label: 'join→seen by all p50 (ms)', ratio: true },
    { key: 'seenP99Ms', label: 'join→seen by all p99 (ms)', ratio: true },
    { key: 'unseenJoins', label: 'joins never seen by all' },
    { key: 'ackP99Ms', label: 'enter ack p99 (ms)', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async run(target, p, context) {
    await warmUp(target, context.addresses);
    const fleet = new Fleet(context.addresses, 'hot');
    context.cleanup(() => fleet.close());
    const url = (i: number) => target.urls[i % target.urls.length];
    const watchers: BenchSocket[] = [];
    const joiners: BenchSocket[] = [];
    const sightings: Sightings[] = [];
    const activity = new Activity();
    let recording = false;
    await pool(p.watchers + p.joiners, context.concurrency, async (i) => {
      const socket = await fleet.connect(url(i), i);
      if (!socket) return;
      if (i >= p.watchers) {
        joiners.push(socket);
        return;
      }
      const seen: Sightings = { at: [], connections: [] };
      socket.on('page:count', (counts: PageCounts) => {
        activity.touch();
        if (!recording || counts.page !== HOT_PAGE) return;
        seen.at.push(performance.now());
        seen.connections.push(counts.connections);
      });
      const failed = failure(await request<PageWatchAck>(socket, 'page:watch', { pages: [HOT_PAGE] }));
      if (failed) throw new Error(`page:watch failed: ${failed}`);
      watchers.push(socket);
      sightings.push(seen);
    });
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);

    const acks = new LatencyHistogram();
    const failures = new Failures();
    const ackedAt: number[] = [];
    const ackedConnections: number[] = [];
    const meter = await startMeter(target);
    recording = true;
    const startedAt = performance.now();
    const pending: Promise<void>[] = [];
    for (let k = 0; k < joiners.length; k++) {
      await delay(startedAt + (k * 1000) / p.joinRate - performance.now());
      pending.push(
        request<PageEnterAck>(joiners[k], 'page:enter', { page: HOT_PAGE }).then((answer) => {
          activity.touch();
          if (failures.failed('page:enter', answer) || !answer.ack?.ok) return;
          acks.record(answer.ms);
          ackedAt.push(answer.at);
          ackedConnections.push(answer.ack.connections);
        }),
      );
    }
    await Promise.all(pending);
    const lastAckAt = performance.now();
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);
    const m = await meter.stop();

    const seen = joinToSeen(ackedAt, ackedConnections, sightings);
    const perWatcher = sightings.map((s) => s.at.length);
    const ack = acks.summary();
    const latency = seen.latency.summary();
    return {
      figures: {
        joins: acks.count,
        joinPhaseMs: round(lastAckAt - startedAt, 0),
        messagesPerWatcher: round(perWatcher.reduce((a, b) => a + b, 0) / Math.max(1, perWatcher.length), 2),
        messagesPerWatcherMax: Math.max(0, ...perWatcher),
        seenP50Ms: latency.p50,
        seenP99Ms: latency.p99,
        seenMaxMs: latency.max,
        unseenJoins: seen.unseen,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        ...serverFigures(m, m.rssBytes, 0),
        watchers: watchers.length,
        unexpectedDisconnects: fleet.unexpectedDisconnects,
      },
      notes: [...fleetNotes(fleet), ...failures.notes()],
      window: m.window,
    };
  },

  checks(results, p, context) {
    const f = (name: string, key: string) => figure(results, name, key);
    const interval = context.countIntervalMs;
    return [
      check(
        `page:count per watcher ≤ join phase ÷ ${interval} ms + 2`,
        [f('presently', 'messagesPerWatcherMax'), f('presently', 'joinPhaseMs'), f('bare', 'messagesPerWatcher')],
        (m, d, b) => `max ${m} per watcher, allowed ${round(d / interval + 2, 1)} (bare: ${b})`,
        (m, d) => m <= d / interval + 2,
      ),
      check('server CPU ≤ 1/5 of bare', [f('presently', 'cpuSeconds'), f('bare', 'cpuSeconds')], (pr, b) => `${pr} s vs ${b} s: ${round(pr / b, 3)}×`, (pr, b) => pr <= b / 5),
      check(
        `join→seen by every watcher p99 ≤ ${interval + 100} ms`,
        [f('presently', 'seenP99Ms'), f('presently', 'unseenJoins')],
        (l, u) => `${l} ms${u > 0 ? `, ${u} joins never seen by all` : ''}`,
        (l, u) => l <= interval + 100 && u === 0,
      ),
      check(`all ${p.joiners} joins acked`, [f('presently', 'joins')], (j) => `${j}`, (j) => j === p.joiners),
    ];
  },
};

/**
 * For each join (its ack time and acked connections), the time until every
 * watcher had seen a count at least as high. Counts only grow here, so each
 * watcher's first sighting of a threshold is found with one pass over its
 * sightings and the thresholds in ascending order.
 */
export function joinToSeen(ackedAt: readonly number[], ackedConnections: readonly number[], sightings: readonly Sightings[]): { latency: LatencyHistogram; unseen: number } {
  const order = ackedConnections.map((_, k) => k).sort((a, b) => ackedConnections[a] - ackedConnections[b]);
  const seenByAll = new Float64Array(order.length);
  for (const watcher of sightings) {
    let i = 0;
    let best = -Infinity;
    for (const k of order) {
      const threshold = ackedConnections[k];
      while (i < watcher.at.length && best < threshold) best = Math.max(best, watcher.connections[i++]);
      const at = best >= threshold ? watcher.at[i - 1] : Infinity;
      if (at > seenByAll[k]) seenByAll[k] = at;
    }
  }
  const latency = new LatencyHistogram();
  let unseen = 0;
  for (let k = 0; k < order.length; k++) {
    if (seenByAll[k] === Infinity) unseen++;
    else latency.record(seenByAll[k] - ackedAt[k]);
  }
  return { latency, unseen };
}

import type { PageCounts, PageEnterAck, PageLeaveAck, PageWatchAck } from '@presently/protocol';
import { fleetNotes, serverFigures, warmUp } from '../lib/common';
import { Activity, delay, failure, Failures, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { seededRandom } from '../lib/random';
import { check, figure, withTimeout, type Parameters, type RunContext, type Scenario, type TargetOutcome } from '../lib/scenario';
import type { RunningTarget, TargetSpec } from '../lib/targets';

type BadgeParameters = 'watchers' | 'pages' | 'cycleRate' | 'duration' | 'every' | 'churners';

/** Presently at the server's own rate (the same watchers without `every`), in the table. */
export const DEFAULT_RATE = 'presently-default';

const pageOf = (i: number) => `/badge/${i}`;

/**
 * `badge`: W sockets watch P pages (a blog's badges), each with `every`
 * (5 s); churners enter and leave the pages, R enter/leave cycles per second
 * for D seconds (each cycle: a churner leaves the page it was on and enters
 * another). Messages per watcher, server CPU, and whether every watcher's
 * last count is the page's exact count once the churn stopped, against the
 * same run at the server's own rate (`presently-default`) and `bare` (which
 * ignores `every`: every change to every watcher).
 */
export const badge: Scenario<BadgeParameters> = {
  name: 'badge',
  parameters: {
    watchers: { full: 10_000, quick: 200, scaled: true, help: 'sockets watching the pages' },
    pages: { full: 100, quick: 10, help: 'pages watched (watchers spread evenly)' },
    cycleRate: { full: 50, quick: 20, help: 'enter/leave cycles per second' },
    duration: { full: 60, quick: 5, help: 'seconds of churn' },
    every: { full: 5000, quick: 5000, help: 'the rate the watchers ask for (ms)' },
    churners: { full: 500, quick: 50, help: 'sockets that enter and leave the pages' },
  },
  describe: (p) =>
    `${p.watchers} watchers of ${p.pages} pages at every ${p.every} ms, ${p.cycleRate} enter/leave cycles/s for ${p.duration} s (${p.churners} churners); the same at the server's own rate, and bare`,
  rows: [
    { key: 'watchers', label: 'watchers' },
    { key: 'cycles', label: 'enter/leave cycles' },
    { key: 'messagesPerWatcher', label: 'page:count per watcher (mean)', ratio: true },
    { key: 'messagesPerWatcherMax', label: 'page:count per watcher (max)', ratio: true },
    { key: 'exactLast', label: 'watchers whose last count is exact' },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('the badge scenario runs Presently: keep it in --targets');
    const variants: Array<{ spec: TargetSpec; every: number | undefined }> = [
      { spec: presently, every: p.every },
      { spec: { ...presently, name: DEFAULT_RATE }, every: undefined },
      ...specs.filter((spec) => spec.name !== 'presently').map((spec) => ({ spec, every: p.every })),
    ];
    const outcomes: Record<string, TargetOutcome> = {};
    for (const { spec, every } of variants) {
      context.log(`badge: ${spec.name}${every === undefined ? ' (no every)' : ` (every ${every} ms)`}`);
      const undo: (() => void | Promise<void>)[] = [];
      let target: RunningTarget | undefined;
      try {
        target = await start(spec);
        const own = { ...context, cleanup: (step: () => void | Promise<void>) => void undo.push(step) };
        const run = runBadge(target, p, every, own);
        outcomes[spec.name] = await withTimeout(Promise.race([run, target.crashed]), context.timeoutMs, `badge on ${spec.name}`);
      } catch (error) {
        outcomes[spec.name] = { figures: {}, notes: [], error: String((error as Error)?.message ?? error) };
      } finally {
        for (const step of undo.reverse()) await step();
        // Stopped before the next variant starts, so that it does not share the cores.
        await target?.stop();
        (globalThis as { gc?: () => void }).gc?.();
      }
    }
    return outcomes;
  },

  checks(results, p) {
    const f = (name: string, key: string) => figure(results, name, key);
    const seconds = p.every / 1000;
    return [
      // Over the churn as it really ran (a loaded load generator stretches it past `duration`).
      check(
        `page:count per watcher ≤ churn (${p.duration} s planned) ÷ ${seconds} s + 2`,
        [f('presently', 'messagesPerWatcherMax'), f('presently', 'churnSeconds'), f(DEFAULT_RATE, 'messagesPerWatcher'), f('bare', 'messagesPerWatcher')],
        (m, c, d, b) => `max ${m} per watcher over ${c} s, allowed ${round(c / seconds + 2, 1)} (at the server's own rate: ${d}, bare: ${b})`,
        (m, c) => m <= c / seconds + 2,
      ),
      check(
        'server CPU ≤ 0.3× the same run at the server\'s own rate',
        [f('presently', 'cpuSeconds'), f(DEFAULT_RATE, 'cpuSeconds')],
        (r, d) => `${r} s vs ${d} s: ${round(r / d, 3)}×`,
        (r, d) => r <= 0.3 * d,
      ),
      check(
        'every watcher\'s last count exact',
        [f('presently', 'exactLast'), f('presently', 'watchers'), f(DEFAULT_RATE, 'exactLast'), f(DEFAULT_RATE, 'watchers')],
        (e, w, de, dw) => `${e} of ${w} (at the server's own rate: ${de} of ${dw})`,
        (e, w, de, dw) => w > 0 && e === w && de === dw,
      ),
    ];
  },
};

/** One run: the watchers, the churn, the settle, what the watchers last heard. */
async function runBadge(target: RunningTarget, p: Parameters<BadgeParameters>, every: number | undefined, context: RunContext): Promise<TargetOutcome> {
  await warmUp(target, context.addresses);
  const fleet = new Fleet(context.addresses, 'badge');
  context.cleanup(() => fleet.close());
  const url = (i: number) => target.urls[i % target.urls.length];
  const activity = new Activity();
  const heard = new Int32Array(p.watchers);
  const last: Array<PageCounts | null> = new Array(p.watchers).fill(null);
  let recording = false;
  let watching = 0;

  await pool(p.watchers, context.concurrency, async (i) => {
    const socket = await fleet.connect(url(i), i);
    if (!socket) return;
    const page = pageOf(i % p.pages);
    socket.on('page:count', (counts: PageCounts) => {
      activity.touch();
      if (counts.page !== page) return;
      last[i] = counts;
      if (recording) heard[i]++;
    });
    const answer = await request<PageWatchAck>(socket, 'page:watch', every === undefined ? { pages: [page] } : { pages: [page], every });
    const failed = failure(answer);
    if (failed) throw new Error(`page:watch failed: ${failed}`);
    last[i] ??= answer.ack?.ok ? (answer.ack.counts[0] ?? null) : null;
    watching++;
  });

  const churners: BenchSocket[] = [];
  await pool(p.churners, context.concurrency, async (i) => {
    const socket = await fleet.connect(url(i), `churner-${i}`);
    if (socket) churners.push(socket);
  });
  await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);

  // Where each churner is (null: nowhere), as the harness decided it: the exact counts.
  const on: Array<number | null> = churners.map(() => null);
  const random = seededRandom(context.seed);
  const failures = new Failures();
  const meter = await startMeter(target);
  recording = true;
  const startedAt = performance.now();
  const cycles = Math.round(p.cycleRate * p.duration);
  const pending: Promise<unknown>[] = [];
  for (let k = 0; k < cycles; k++) {
    await delay(startedAt + (k * 1000) / p.cycleRate - performance.now());
    const c = k % churners.length;
    const socket = churners[c];
    const from = on[c];
    const to = Math.floor(random() * p.pages);
    on[c] = to;
    // A leave then an enter, in order on the churner's socket.
    if (from !== null) pending.push(request<PageLeaveAck>(socket, 'page:leave', { page: pageOf(from) }).then((answer) => failures.failed('page:leave', answer)));
    pending.push(request<PageEnterAck>(socket, 'page:enter', { page: pageOf(to) }).then((answer) => failures.failed('page:enter', answer)));
  }
  await Promise.all(pending);
  const churnSeconds = (performance.now() - startedAt) / 1000;
  // The last values arrive at most `every` after the last change; every variant waits as long, so that
  // their measured phases are alike.
  await activity.quiet(p.every + 1000, context.timeoutMs);
  const m = await meter.stop();
  recording = false;

  const expected = new Int32Array(p.pages);
  for (const page of on) if (page !== null) expected[page]++;
  let exact = 0;
  for (let i = 0; i < p.watchers; i++) {
    const counts = last[i];
    const n = expected[i % p.pages];
    if (counts && counts.viewers === n && counts.connections === n) exact++;
  }
  let total = 0;
  let max = 0;
  for (let i = 0; i < p.watchers; i++) {
    total += heard[i];
    if (heard[i] > max) max = heard[i];
  }
  return {
    figures: {
      watchers: watching,
      cycles,
      churnSeconds: round(churnSeconds, 1),
      messagesPerWatcher: round(total / Math.max(1, watching), 2),
      messagesPerWatcherMax: max,
      exactLast: exact,
      ...serverFigures(m, m.rssBytes, 0),
      unexpectedDisconnects: fleet.unexpectedDisconnects,
    },
    notes: [...fleetNotes(fleet), ...failures.notes(), ...(every === undefined ? ['watchers without every: the server\'s own rate'] : [])],
    window: m.window,
  };
}

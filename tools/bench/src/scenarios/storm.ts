import type { PageEnterAck } from '@presently/protocol';
import { serverFigures, fleetNotes, warmUp } from '../lib/common';
import { Activity, Failures, Fleet, pool, request } from '../lib/fleet';
import { LatencyHistogram, round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { seededRandom, zipf } from '../lib/random';
import { check, figure, type Check, type Scenario } from '../lib/scenario';

export const pageKey = (rank: number) => `/storm/${rank}`;

/**
 * `storm`: N clients connect and `page:enter` one page each, across P pages
 * with a Zipf(1) spread, at most `--concurrency` arriving at once. Ack
 * latency, server CPU and RSS per connection.
 */
export const storm: Scenario<'clients' | 'pages'> = {
  name: 'storm',
  parameters: {
    clients: { full: 5000, quick: 40, scaled: true, help: 'clients that connect and enter a page' },
    pages: { full: 500, quick: 10, help: 'pages, with a Zipf(1) popularity' },
  },
  describe: (p) => `${p.clients} clients connect and page:enter across ${p.pages} pages (Zipf 1)`,
  // Naive's cost grows with the square of the clients: at a fifth of them it is a lower bound.
  referenceScale: { naive: 0.2 },
  rows: [
    { key: 'clients', label: 'clients entered' },
    { key: 'ackP50Ms', label: 'enter ack p50 (ms)', ratio: true },
    { key: 'ackP99Ms', label: 'enter ack p99 (ms)', ratio: true },
    { key: 'connectP99Ms', label: 'handshake p99 (ms)', ratio: true },
    { key: 'clientsPerSecond', label: 'clients/s (to last ack)', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'rssMb', label: 'server RSS (MB)', ratio: true },
    { key: 'rssPerConnectionKb', label: 'RSS per connection (KB)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'pushesPerClient', label: 'page:count per client', ratio: true },
    { key: 'phaseSeconds', label: 'phase incl. settle (s)', ratio: true },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async run(target, p, context) {
    const pick = zipf(p.pages, 1, seededRandom(context.seed));
    const pages = Array.from({ length: p.clients }, () => pick());
    await warmUp(target, context.addresses);
    const baseline = target.sample();
    const fleet = new Fleet(context.addresses, 'storm');
    context.cleanup(() => fleet.close());
    const acks = new LatencyHistogram();
    const activity = new Activity();
    let pushes = 0;
    const failures = new Failures();
    let lastAckAt = 0;
    const meter = await startMeter(target);
    const startedAt = performance.now();
    await pool(p.clients, context.concurrency, async (i) => {
      const socket = await fleet.connect(target.urls[i % target.urls.length], i);
      if (!socket) return;
      socket.on('page:count', () => {
        pushes++;
        activity.touch();
      });
      const answer = await request<PageEnterAck>(socket, 'page:enter', { page: pageKey(pages[i]) });
      activity.touch();
      lastAckAt = Math.max(lastAckAt, answer.at);
      if (!failures.failed('page:enter', answer)) acks.record(answer.ms);
    });
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);
    const m = await meter.stop();
    const ack = acks.summary();
    const connect = fleet.connectLatency.summary();
    const notes = fleetNotes(fleet);
    notes.push(...failures.notes());
    return {
      figures: {
        clients: acks.count,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        ackMaxMs: ack.max,
        connectP50Ms: connect.p50,
        connectP99Ms: connect.p99,
        clientsPerSecond: lastAckAt > startedAt ? round(acks.count / ((lastAckAt - startedAt) / 1000), 0) : null,
        ...serverFigures(m, baseline.rssBytes, fleet.sockets.length),
        pushesPerClient: acks.count > 0 ? round(pushes / acks.count, 2) : null,
        failedHandshakes: fleet.failures,
        unexpectedDisconnects: fleet.unexpectedDisconnects,
      },
      notes,
      window: m.window,
    };
  },

  checks(results, p) {
    const f = (name: string, key: string) => figure(results, name, key);
    const x = (v: number) => `${round(v, 2)}×`;
    return [
      check('server CPU ≤ 1.5× bare', [f('presently', 'cpuSeconds'), f('bare', 'cpuSeconds')], (p, b) => `${p} s vs ${b} s: ${x(p / b)}`, (p, b) => p <= 1.5 * b),
      check('enter ack p99 ≤ 2× bare', [f('presently', 'ackP99Ms'), f('bare', 'ackP99Ms')], (p, b) => `${p} ms vs ${b} ms: ${x(p / b)}`, (p, b) => p <= 2 * b),
      check(
        'RSS per connection ≤ bare + 3 KB',
        [f('presently', 'rssPerConnectionKb'), f('bare', 'rssPerConnectionKb')],
        (p, b) => `${p} KB vs ${b} KB: ${p - b >= 0 ? '+' : ''}${round(p - b, 2)} KB`,
        (p, b) => p <= b + 3,
      ),
      lowerBound(
        check('≥ 20× less server CPU than naive', [f('presently', 'cpuSeconds'), f('naive', 'cpuSeconds')], (p, n) => `${p} s vs ${n} s: naive ${x(n / p)}`, (p, n) => n >= 20 * p),
        results.naive?.scale,
      ),
      check(`all ${p.clients} clients entered, none dropped`, [f('presently', 'clients'), f('presently', 'unexpectedDisconnects')], (c, d) => `${c} entered, ${d} dropped`, (c, d) => c === p.clients && d === 0),
    ];
  },
};

/**
 * A check against a reference that ran smaller (`scale` < 1): its costs are
 * lower bounds, so a pass stands and a miss is undecided.
 */
function lowerBound(result: Check, scale: number | undefined): Check {
  if (scale === undefined || scale === 1 || result.pass !== false) return result;
  return { ...result, measured: `${result.measured} (naive at ${Math.round(scale * 100)} %: a lower bound, undecided)`, pass: null };
}

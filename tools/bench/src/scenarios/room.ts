import type { RoomJoinAck } from '@presently/protocol';
import { fleetNotes, serverFigures, warmUp } from '../lib/common';
import { Activity, delay, Failures, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { LatencyHistogram, round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { check, figure, type Scenario } from '../lib/scenario';

const ROOM = 'bench-room';

/**
 * `room`: M connected sockets join one room, evenly spread over a window
 * (5,000 in 10 s by default). Every room event a member receives is a
 * delivery (`room:joined`, `room:left`, `room:updated`, and the large-room
 * `room:count`/`room:sync`); per-member fan-out costs about N²/2 of them.
 * Each member keeps the room's total as the protocol tells it (the ack's
 * `total`, ±1 per `room:joined`/`room:left`, `room:count`, `room:sync`); once
 * the room is quiet, every member's total must be the true one.
 */
export const room: Scenario<'members' | 'window'> = {
  name: 'room',
  parameters: {
    members: { full: 5000, quick: 40, scaled: true, help: 'members joining the room' },
    window: { full: 10, quick: 1, help: 'seconds over which they join' },
  },
  describe: (p) => `${p.members} members join one room within ${p.window} s`,
  // The references fan out per member (N²/2 and N² deliveries): informative only, so smaller.
  referenceScale: { bare: 0.4, naive: 0.2 },
  rows: [
    { key: 'joins', label: 'joins acked' },
    { key: 'deliveries', label: 'room deliveries', ratio: true },
    { key: 'deliveriesShareOfNSquared', label: 'deliveries / N² (%)', ratio: true },
    { key: 'ackMembersMax', label: 'largest roster in an ack', ratio: true },
    { key: 'totalMismatches', label: "members whose total ≠ the room's" },
    { key: 'ackP50Ms', label: 'join ack p50 (ms)', ratio: true },
    { key: 'ackP99Ms', label: 'join ack p99 (ms)', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'eventLoopMaxMs', label: 'event-loop delay max (ms)', ratio: true },
    { key: 'rssMb', label: 'server RSS (MB)', ratio: true },
    { key: 'phaseSeconds', label: 'phase incl. settle (s)', ratio: true },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async run(target, p, context) {
    await warmUp(target, context.addresses);
    const fleet = new Fleet(context.addresses, 'room');
    context.cleanup(() => fleet.close());
    const activity = new Activity();
    const byEvent = new Map<string, number>();
    let deliveries = 0;
    const members: BenchSocket[] = [];
    // The room's total as each member knows it, by member index.
    const totals: (number | undefined)[] = [];
    await pool(p.members, context.concurrency, async (i) => {
      const socket = await fleet.connect(target.urls[i % target.urls.length], i);
      if (!socket) return;
      const k = members.push(socket) - 1;
      socket.onAny((event: string, payload: { total?: number; members?: unknown[] }) => {
        if (!event.startsWith('room:')) return;
        activity.touch();
        deliveries++;
        byEvent.set(event, (byEvent.get(event) ?? 0) + 1);
        totals[k] = nextTotal(totals[k], event, payload);
      });
    });
    const baseline = target.sample();

    const acks = new LatencyHistogram();
    let largestRoster = 0;
    const failures = new Failures();
    const meter = await startMeter(target);
    const startedAt = performance.now();
    const pending: Promise<void>[] = [];
    for (let k = 0; k < members.length; k++) {
      await delay(startedAt + (k * p.window * 1000) / p.members - performance.now());
      pending.push(
        request<RoomJoinAck>(members[k], 'room:join', { room: ROOM, profile: { name: `member ${k}` } }, (answer) => {
          activity.touch();
          if (failures.failed('room:join', answer) || !answer.ack?.ok) return;
          acks.record(answer.ms);
          largestRoster = Math.max(largestRoster, answer.ack.members.length);
          // In the ack callback itself, before any later event of the same socket.
          totals[k] = answer.ack.total ?? answer.ack.members.length;
        }).then(() => undefined),
      );
    }
    await Promise.all(pending);
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);
    const m = await meter.stop();

    const n = members.length;
    const ack = acks.summary();
    let totalMismatches = 0;
    for (let k = 0; k < n; k++) if (totals[k] !== acks.count) totalMismatches++;
    const notes = fleetNotes(fleet);
    notes.push(`deliveries by event: ${[...byEvent].map(([event, count]) => `${event} ${count}`).join(', ') || 'none'}`);
    notes.push(...failures.notes());
    return {
      figures: {
        joins: acks.count,
        deliveries,
        deliveriesShareOfNSquared: n > 0 ? round((100 * deliveries) / (n * n), 3) : null,
        ackMembersMax: largestRoster,
        totalMismatches,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        ...serverFigures(m, baseline.rssBytes, n),
        unexpectedDisconnects: fleet.unexpectedDisconnects,
      },
      notes,
      window: m.window,
    };
  },

  checks(results, p) {
    const f = (name: string, key: string) => figure(results, name, key);
    const nSquared = p.members * p.members;
    return [
      check(
        'deliveries ≤ 2 % of N²',
        [f('presently', 'deliveries')],
        (d) => `${d} = ${round((100 * d) / nSquared, 2)} % of ${nSquared} (allowed ${Math.floor(nSquared * 0.02)})`,
        (d) => d <= nSquared * 0.02,
      ),
      check('event-loop delay p99 ≤ 100 ms', [f('presently', 'eventLoopP99Ms')], (l) => `${l} ms`, (l) => l <= 100),
      check('exact counts: every member ends with the true total', [f('presently', 'totalMismatches')], (m) => `${m} mismatches`, (m) => m === 0),
      check(`all ${p.members} joins acked`, [f('presently', 'joins')], (j) => `${j}`, (j) => j === p.members),
    ];
  },
};

/** A member's total after one room event (events of other rooms do not reach the bench's members). */
function nextTotal(total: number | undefined, event: string, payload: { total?: number; members?: unknown[] }): number | undefined {
  if (event === 'room:count') return payload.total;
  if (event === 'room:sync') return payload.members?.length;
  if (total === undefined) return undefined;
  if (event === 'room:joined') return total + 1;
  if (event === 'room:left') return total - 1;
  return total;
}

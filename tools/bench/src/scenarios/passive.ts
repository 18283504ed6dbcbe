import type { ActivityAck, Member, PageCounts, PageWatchAck, RoomJoinAck } from '@presently/protocol';
import { fleetNotes, serverFigures, warmUp } from '../lib/common';
import { Activity, delay, failure, Failures, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { LatencyHistogram, round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { check, figure, withTimeout, type Parameters, type RunContext, type Scenario, type TargetOutcome } from '../lib/scenario';
import type { RunningTarget } from '../lib/targets';

const PAGE = '/passive';
const ROOM = 'passive-room';

type P = Parameters<'watchers' | 'members' | 'hidden' | 'actors' | 'window'>;

/** The name of the run with part of the audience hidden. */
export const hiddenName = (p: P) => `${p.hidden} % hidden`;
const VISIBLE = 'nobody hidden';

/** A member's list as one socket knows it: userId → `status|activity`. */
type Replica = Map<string, string>;
const entry = (m: Pick<Member, 'status' | 'activity'>) => `${m.status}|${m.activity}`;
const statusOf = (value: string | undefined) => value?.split('|')[0];

/** One socket of the audience: a watcher of the page or a member of the room, visible or hidden. */
interface Listener {
  socket: BenchSocket;
  kind: 'watcher' | 'member';
  hidden: boolean;
  /** A watcher: the page's counts as it last heard them. */
  counts?: PageCounts;
  /** A member: the room's list as it knows it. */
  members?: Replica;
  /** A member: its own userId (from its join's answer). */
  self?: string;
}

/**
 * `passive` (protocol 1.1, "Activity"): an audience of W sockets watching
 * one page and M members of one room (ROSTER_MAX above M + A, so that the
 * room stays small), a share of them hidden (`presence:activity hidden`:
 * watchers after they watch, members before they join); then A actors each
 * enter the page, join the room and change their status, evenly over a
 * window. Counted: every event the audience receives during that phase (its
 * deliveries) and the server's CPU, against the same run with nobody hidden.
 * Checked: once the phase is quiet, every visible socket's figures are the
 * server's (the page's counts, the room's list with statuses and
 * activities); then every hidden socket reports `active`, and in its ack's
 * callback (so after its catch-up, before anything later) its figures must
 * already be the server's: the page's counts, the room's list and statuses
 * (activities move meanwhile: each member that comes back is announced).
 */
export const passive: Scenario<'watchers' | 'members' | 'hidden' | 'actors' | 'window'> = {
  name: 'passive',
  parameters: {
    watchers: { full: 2000, quick: 40, scaled: true, help: 'sockets watching the page' },
    members: { full: 1000, quick: 20, scaled: true, help: 'members of the room' },
    hidden: { full: 90, quick: 90, help: 'share of the watchers and members that are hidden (%)' },
    actors: { full: 300, quick: 6, scaled: true, help: 'sockets that enter the page, join the room and change their status' },
    window: { full: 3, quick: 1, help: 'seconds over which the actors act' },
  },
  describe: (p) => `${p.watchers} watchers of a page and ${p.members} members of a room, ${p.hidden} % hidden or none; ${p.actors} actors enter, join and change status within ${p.window} s`,
  // The room stays small: every join and change is a member event.
  env: (p) => ({ ROSTER_MAX: String(Math.max(2000, p.members + p.actors + 1)) }),
  rows: [
    { key: 'deliveries', label: 'audience deliveries', ratio: true },
    { key: 'deliveriesToVisible', label: '… to visible sockets', ratio: true },
    { key: 'deliveriesToActors', label: 'actor deliveries', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'ackP99Ms', label: 'actor ack p99 (ms)', ratio: true },
    { key: 'phaseSeconds', label: 'phase incl. settle (s)', ratio: true },
    { key: 'visible', label: 'visible sockets checked' },
    { key: 'visibleMismatches', label: 'visible sockets not exact' },
    { key: 'returned', label: 'hidden sockets back' },
    { key: 'returnMismatches', label: 'back and not exact at their ack' },
    { key: 'finalMismatches', label: 'not exact once all are back' },
    { key: 'catchUpEvents', label: 'catch-up events' },
    { key: 'returnP99Ms', label: 'return ack p99 (ms)' },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('the passive scenario runs Presently: keep it in --targets');
    const outcomes: Record<string, TargetOutcome> = {};
    for (const [name, share] of [
      [VISIBLE, 0],
      [hiddenName(p), p.hidden],
    ] as const) {
      context.log(`passive: ${name}`);
      const target = await start(presently);
      try {
        outcomes[name] = await withTimeout(Promise.race([audience(target, p, share, context), target.crashed]), context.timeoutMs, `passive (${name})`);
      } catch (error) {
        outcomes[name] = { figures: {}, notes: [], error: String((error as Error)?.message ?? error) };
      } finally {
        await target.stop();
      }
    }
    return outcomes;
  },

  checks(results, p) {
    const hidden = hiddenName(p);
    const f = (name: string, key: string) => figure(results, name, key);
    return [
      check(
        `≥ 80 % fewer deliveries to the audience with ${p.hidden} % of it hidden`,
        [f(hidden, 'deliveries'), f(VISIBLE, 'deliveries')],
        (h, v) => `${h} vs ${v}: ${round(100 - (100 * h) / v, 1)} % fewer`,
        (h, v) => h <= 0.2 * v,
      ),
      check(
        "every visible socket's figures exact",
        [f(VISIBLE, 'visibleMismatches'), f(hidden, 'visibleMismatches'), f(VISIBLE, 'visible'), f(hidden, 'visible')],
        (a, b, n, m) => `${a} of ${n} and ${b} of ${m} not exact`,
        (a, b) => a === 0 && b === 0,
      ),
      check(
        "every hidden socket's figures exact as soon as it is back (at its ack)",
        [f(hidden, 'returnMismatches'), f(hidden, 'returned'), f(hidden, 'finalMismatches')],
        (m, n, fin) => `${m} of ${n} not exact at their ack, ${fin} not exact once all are back`,
        (m, n, fin) => m === 0 && fin === 0 && n === Math.floor((p.watchers * p.hidden) / 100) + Math.floor((p.members * p.hidden) / 100),
      ),
    ];
  },
};

/** One run: the audience with `share` % of it hidden, the actors' phase, then every hidden socket back. */
async function audience(target: RunningTarget, p: P, share: number, context: RunContext): Promise<TargetOutcome> {
  await warmUp(target, context.addresses);
  const fleet = new Fleet(context.addresses, `passive-${share}`);
  context.cleanup(() => fleet.close());
  const url = (i: number) => target.urls[i % target.urls.length];
  const activity = new Activity();
  const failures = new Failures();
  let measuring = false;
  let deliveries = 0;
  let deliveriesToVisible = 0;
  let deliveriesToActors = 0;
  const byEvent = new Map<string, number>();
  /** The i-th of `total` is hidden: spread evenly, `share` % of them. */
  const isHidden = (i: number, total: number) => Math.floor(((i + 1) * share) / 100) > Math.floor((i * share) / 100) && i < total;

  // The audience: watchers hide after they watch (what they hold is the last count they heard),
  // members before they join (what they hold is their join's answer): both ways of being passive.
  const listeners: Listener[] = [];
  await pool(p.watchers + p.members, context.concurrency, async (i) => {
    const socket = await fleet.connect(url(i), `a${i}`);
    if (!socket) return;
    const kind = i < p.watchers ? 'watcher' : 'member';
    const hidden = kind === 'watcher' ? isHidden(i, p.watchers) : isHidden(i - p.watchers, p.members);
    const listener: Listener = { socket, kind, hidden };
    listeners.push(listener);
    socket.onAny((event: string, payload: unknown) => {
      activity.touch();
      if (measuring) {
        deliveries++;
        if (!listener.hidden) deliveriesToVisible++;
        byEvent.set(event, (byEvent.get(event) ?? 0) + 1);
      }
      follow(listener, event, payload as Pushed);
    });
    if (kind === 'watcher') {
      const answer = await request<PageWatchAck>(socket, 'page:watch', { pages: [PAGE] }, (a) => {
        if (a.ack?.ok) listener.counts = a.ack.counts[0];
      });
      if (failure(answer)) throw new Error(`page:watch failed: ${failure(answer)}`);
      if (hidden) await report(socket, 'hidden');
    } else {
      if (hidden) await report(socket, 'hidden');
      const answer = await request<RoomJoinAck>(socket, 'room:join', { room: ROOM, profile: { name: `member ${i}` } }, (a) => {
        if (!a.ack?.ok) return;
        listener.members = new Map(a.ack.members.map((m) => [m.userId, entry(m)]));
        listener.self = a.ack.self.userId;
      });
      if (failure(answer)) throw new Error(`room:join failed: ${failure(answer)}`);
    }
  });
  await activity.quiet(context.countIntervalMs + 500, context.timeoutMs);
  context.log(`passive: ${listeners.length} listeners in place, ${listeners.filter((l) => l.hidden).length} hidden`);

  const actors: BenchSocket[] = [];
  await pool(p.actors, context.concurrency, async (i) => {
    const socket = await fleet.connect(url(i), `actor${i}`);
    if (!socket) return;
    actors.push(socket);
    socket.onAny(() => {
      activity.touch();
      if (measuring) deliveriesToActors++;
    });
  });
  const baseline = target.sample();

  // The measured phase: each actor enters the page, joins the room and changes its status.
  const acks = new LatencyHistogram();
  const meter = await startMeter(target);
  measuring = true;
  const startedAt = performance.now();
  await Promise.all(
    actors.map(async (socket, k) => {
      await delay(startedAt + (k * p.window * 1000) / actors.length - performance.now());
      for (const [event, payload] of [
        ['page:enter', { page: PAGE }],
        ['room:join', { room: ROOM, profile: { name: `actor ${k}` } }],
        ['room:update', { room: ROOM, profile: { status: 'busy' } }],
      ] as const) {
        const answer = await request<{ ok: true }>(socket, event, payload);
        activity.touch();
        if (!failures.failed(event, answer)) acks.record(answer.ms);
      }
    }),
  );
  await activity.quiet(context.countIntervalMs + 500, context.timeoutMs);
  const m = await meter.stop();
  measuring = false;
  context.log(`passive: the actors' phase took ${round(m.wallSeconds, 1)} s`);

  // Every visible socket's figures are the server's.
  let truth = await readTruth(url(0));
  const visible = listeners.filter((l) => !l.hidden);
  const visibleMismatches = visible.filter((l) => !exact(l, truth, true)).length;

  // Every hidden socket comes back, and is exact in its ack's callback: after its catch-up, before anything later.
  const hidden = listeners.filter((l) => l.hidden);
  let catchUpEvents = 0;
  let returnMismatches = 0;
  const returns = new LatencyHistogram();
  await pool(hidden.length, context.concurrency, async (i) => {
    const listener = hidden[i];
    const count = () => catchUpEvents++;
    listener.socket.onAny(count);
    const answer = await request<ActivityAck>(listener.socket, 'presence:activity', { state: 'active' }, () => {
      listener.socket.offAny(count);
      listener.hidden = false;
      if (!exact(listener, truth, false)) returnMismatches++;
    });
    if (!failures.failed('presence:activity', answer)) returns.record(answer.ms);
  });
  await activity.quiet(context.countIntervalMs + 500, context.timeoutMs);
  context.log(`passive: ${hidden.length} hidden sockets back`);
  truth = await readTruth(url(0));
  const finalMismatches = listeners.filter((l) => !exact(l, truth, true)).length;

  const notes = fleetNotes(fleet);
  notes.push(`audience deliveries by event: ${[...byEvent].map(([event, n]) => `${event} ${n}`).join(', ') || 'none'}`);
  notes.push(...failures.notes());
  const ack = acks.summary();
  return {
    figures: {
      deliveries,
      deliveriesToVisible,
      deliveriesToActors,
      ...serverFigures(m, baseline.rssBytes, listeners.length + actors.length),
      ackP99Ms: ack.p99,
      visible: visible.length,
      visibleMismatches,
      returned: returns.count,
      returnMismatches,
      finalMismatches,
      catchUpEvents,
      returnP99Ms: hidden.length > 0 ? returns.summary().p99 : null,
      unexpectedDisconnects: fleet.unexpectedDisconnects,
    },
    notes,
    window: m.window,
  };
}

/** `presence:activity` with `state`, failing the run if refused. */
async function report(socket: BenchSocket, state: 'hidden' | 'active'): Promise<void> {
  const answer = await request<ActivityAck>(socket, 'presence:activity', { state });
  if (failure(answer)) throw new Error(`presence:activity failed: ${failure(answer)}`);
}

/** What the events a listener follows carry (each its own fields). */
interface Pushed {
  page?: string;
  room?: string;
  userId?: string;
  member?: Member;
  members?: Member[];
}

/** Applies one event to what a listener knows. */
function follow(listener: Listener, event: string, payload: Pushed): void {
  if (event === 'page:count' && payload.page === PAGE) listener.counts = payload as PageCounts;
  const members = listener.members;
  if (!members || payload?.room !== ROOM) return;
  if ((event === 'room:joined' || event === 'room:updated') && payload.member) members.set(payload.member.userId, entry(payload.member));
  else if (event === 'room:left' && payload.userId) members.delete(payload.userId);
  else if (event === 'room:sync' && payload.members) listener.members = new Map(payload.members.map((m) => [m.userId, entry(m)]));
}

interface Truth {
  counts: PageCounts;
  members: Replica;
}

async function readTruth(url: string): Promise<Truth> {
  const counts = (await (await fetch(`${url}/api/pages/count?page=${encodeURIComponent(PAGE)}`)).json()) as PageCounts;
  const room = (await (await fetch(`${url}/api/rooms/members?room=${encodeURIComponent(ROOM)}`)).json()) as { members: Member[] };
  return { counts, members: new Map(room.members.map((m) => [m.userId, entry(m)])) };
}

/**
 * Whether a listener's figures are the server's: a watcher's counts; a
 * member's list, with statuses, and with activities when `activities` (a
 * member does not hear its own activity change: its own entry's activity is
 * left out).
 */
function exact(listener: Listener, truth: Truth, activities: boolean): boolean {
  if (listener.kind === 'watcher') {
    const c = listener.counts;
    return !!c && c.viewers === truth.counts.viewers && c.connections === truth.counts.connections && c.active === truth.counts.active;
  }
  const members = listener.members;
  if (!members || members.size !== truth.members.size) return false;
  for (const [userId, value] of truth.members) {
    const known = members.get(userId);
    if (known === undefined || statusOf(known) !== statusOf(value)) return false;
    if (activities && known !== value && listener.self !== userId) return false;
  }
  return true;
}

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events, type OkAck } from '@presently/protocol';
import { fleetNotes, warmUp } from '../lib/common';
import { Activity, delay, Failures, failure, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { collectionGroups, type CollectionGroup } from '../lib/heap-collections';
import { growthPer, heapKinds, liveBytes, readHeapGraph, takeHeapSnapshot, type HeapKind } from '../lib/heap-snapshot';
import { armedTimers } from '../lib/heap-timers';
import { round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { seededRandom } from '../lib/random';
import { check, figure, type Figures, type Scenario } from '../lib/scenario';
import { scrapeSamples } from '../lib/server-metrics';
import type { RunningTarget } from '../lib/targets';

const MIB = 2 ** 20;
/** The issue's bound on the live heap's drift from the checkpoint to the end. */
const HEAP_DRIFT_PCT = 5;
/** How long the server keeps timers for the harness's own last HTTP request (its keep-alive timeout, 5 s, and more). */
const HARNESS_REQUESTS_SETTLE_MS = 6000;
/** Past `RECENT_MS`, the time the server's one timer for recent leavers may take to fire. */
const RECENT_SLACK_MS = 250;
/** Presently's registry sizes on `/metrics`. */
const GAUGES = ['presently_connections', 'presently_visitors', 'presently_pages', 'presently_rooms', 'presently_held_connections'] as const;
/** Every event the server announces to the sockets of a page or room. */
const ANNOUNCEMENTS = [Events.PageCount, Events.RoomJoined, Events.RoomLeft, Events.RoomUpdated, Events.RoomCount, Events.RoomSync];

let snapshotDir: string | undefined;
const directory = () => (snapshotDir ??= mkdtempSync(join(tmpdir(), 'presently-bench-soak-')));

const pageKey = (n: number) => `/soak/${n}`;
const roomKey = (n: number) => `soak-${n}`;

/** What the server holds once the churn has stopped and every grace period has passed. */
interface Settled {
  /** Live heap after a full GC (the snapshot's sizes summed), bytes. */
  heapBytes: number;
  /** The same by kind (constructor, strings, code). */
  kinds: Map<string, HeapKind>;
  /** Timers armed (and immediates pending), by callback (see {@link armedTimers}). */
  timers: Map<string, number>;
  /** Every Map and Set of the heap by holder (see {@link collectionGroups}). */
  collections: Map<string, CollectionGroup>;
  /** Unlabelled samples of `/metrics`. */
  metrics: Map<string, number>;
  rssBytes: number;
  /** How long the registry took to settle (the grace period, mostly), ms. */
  settleMs: number;
}

/** A churner's place: who it is and where it goes, kept when it comes back under the same clientId. */
interface Visit {
  clientId: string;
  page: string;
  room: string;
}

/**
 * `soak` (issue 16, item 5): long runs do not leak. `clients` steady
 * clients stay on `pages` pages and in `rooms` rooms throughout; `churners`
 * virtual users come and go around them for `duration` seconds: each
 * connects, enters a page, joins a room, updates its status a few times,
 * sometimes moves to another page, then leaves explicitly, disconnects
 * without leaving, or cuts its TCP connection (no close frame, as a lost
 * network does); after the last two it comes back half of the time with the
 * same clientId within the grace period (taking its held place), otherwise
 * with a new one (its held place expires).
 *
 * Twice, after `checkpoint` seconds of churn and at the end, the churn stops
 * and the server settles (every churner gone, every grace period over):
 * the same logical state as before the churn, only the steady clients. Then
 * a heap snapshot after a full GC gives the live heap, the `Timeout`
 * objects and every Map and Set by holder with its live entries; `/metrics`
 * gives the registry's gauges and `nodejs_active_resources`. Leaks show as
 * a difference between the two: the live heap within 5 %, every Map and Set
 * of Presently's own classes at the same size, as many timers. Presently
 * only; it runs with `GRACE_MS` = `--grace-ms` and `RECENT_MS` =
 * `--recent-ms`: who just left a room is a window of time by design, so each
 * settle also waits until that window has passed since the last leave, and
 * the registry must have forgotten every recent leaver by then.
 */
export const soak: Scenario<'clients' | 'churners' | 'pages' | 'rooms' | 'duration' | 'checkpoint' | 'holdMs' | 'graceMs' | 'recentMs'> = {
  name: 'soak',
  parameters: {
    clients: { full: 1000, quick: 20, scaled: true, help: 'steady clients, one page and one room each' },
    churners: { full: 100, quick: 10, scaled: true, help: 'churning users that come and go around them' },
    pages: { full: 100, quick: 5, help: 'pages' },
    rooms: { full: 50, quick: 3, help: 'rooms' },
    duration: { full: 600, quick: 6, help: 'seconds of churn' },
    checkpoint: { full: 120, quick: 2, help: 'seconds of churn before the first measurement' },
    holdMs: { full: 4000, quick: 500, help: 'longest stay of a churner on a page, in ms' },
    graceMs: { full: 5000, quick: 1000, help: 'GRACE_MS given to the server' },
    recentMs: { full: 5000, quick: 1000, help: 'RECENT_MS given to the server (each settle waits it out)' },
  },
  describe: (p) =>
    `${p.clients} steady clients on ${p.pages} pages and ${p.rooms} rooms, ${p.churners} churners for ${p.duration} s; settled heap, Maps and timers after ${p.checkpoint} s and at the end`,
  env: (p) => ({ GRACE_MS: String(p.graceMs), RECENT_MS: String(p.recentMs) }),
  nodeFlags: () => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory()}`],
  rows: [
    { key: 'steadyClients', label: 'steady clients' },
    { key: 'connects', label: 'churn: connections opened' },
    { key: 'returns', label: 'churn: returns with the same clientId' },
    { key: 'leaves', label: 'churn: explicit leaves' },
    { key: 'closes', label: 'churn: disconnects without leaving' },
    { key: 'cuts', label: 'churn: TCP cuts (no close frame)' },
    { key: 'updates', label: 'churn: room:update' },
    { key: 'failedRequests', label: 'requests refused or unanswered' },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
    { key: 'heapSetupMb', label: 'live heap before the churn (MiB)' },
    { key: 'heapCheckpointMb', label: 'live heap at the checkpoint (MiB)' },
    { key: 'heapEndMb', label: 'live heap at the end (MiB)' },
    { key: 'heapDriftPct', label: 'live heap, end vs checkpoint (%)' },
    { key: 'registryEntriesCheckpoint', label: 'registry Map/Set entries at the checkpoint' },
    { key: 'registryEntriesEnd', label: 'registry Map/Set entries at the end' },
    { key: 'registryGroupsChanged', label: 'registry Maps/Sets not back to their size' },
    { key: 'timersCheckpoint', label: 'timers armed at the checkpoint' },
    { key: 'timersEnd', label: 'timers armed at the end' },
    { key: 'activeResourcesCheckpoint', label: 'nodejs_active_resources at the checkpoint' },
    { key: 'activeResourcesEnd', label: 'nodejs_active_resources at the end' },
    { key: 'connectionsEnd', label: 'presently_connections at the end' },
    { key: 'heldEnd', label: 'presently_held_connections at the end' },
    { key: 'rssCheckpointMb', label: 'RSS at the checkpoint (MiB)' },
    { key: 'rssEndMb', label: 'RSS at the end (MiB)' },
    { key: 'cpuSeconds', label: 'server CPU after the checkpoint (s)' },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 after the checkpoint (ms)' },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('soak measures Presently: keep it in --targets');
    if (p.checkpoint >= p.duration) throw new Error('--checkpoint must come before the end of --duration');
    const target = await start(presently);
    if (target.pids.length !== 1) throw new Error('soak measures one server process');
    await warmUp(target, context.addresses);
    const url = target.urls[0];
    const random = seededRandom(context.seed);
    const activity = new Activity();
    const failures = new Failures();
    const listen = (socket: BenchSocket) => {
      for (const event of ANNOUNCEMENTS) socket.on(event, () => activity.touch());
    };
    const ask = async (socket: BenchSocket, event: Parameters<typeof request>[1], payload: unknown) => {
      const answer = await request<OkAck>(socket, event, payload);
      activity.touch();
      failures.failed(event, answer);
      return answer;
    };

    // The steady population.
    const fleet = new Fleet(context.addresses, 'soak-steady');
    context.cleanup(() => fleet.close());
    await pool(p.clients, context.concurrency, async (i) => {
      const socket = await fleet.connect(url, i);
      if (!socket) return;
      listen(socket);
      const entered = failure(await ask(socket, 'page:enter', { page: pageKey(i % p.pages) }));
      const joined = failure(await ask(socket, 'room:join', { room: roomKey(i % p.rooms), profile: { name: `steady ${i}`, status: 'here' } }));
      if (entered || joined) throw new Error(`steady client ${i}: ${entered ?? joined}`);
    });
    const setup = await settle(target, fleet.sockets.length, p, context.countIntervalMs, activity, context.timeoutMs);
    context.log(`soak: ${fleet.sockets.length} steady clients, live heap ${round(setup.heapBytes / MIB, 1)} MiB`);

    // The churn.
    const churnFleet = new Fleet(context.addresses, 'soak');
    const open = new Set<BenchSocket>();
    context.cleanup(() => {
      for (const socket of open) socket.disconnect();
    });
    const counts = { connects: 0, returns: 0, leaves: 0, closes: 0, cuts: 0, updates: 0, unexpectedDisconnects: 0 };
    let pausing = false;
    let statuses = 0;
    const life = async (slot: number) => {
      let generation = 0;
      let back: Visit | null = null;
      while (!pausing) {
        const visit: Visit = back ?? { clientId: `${slot}-${generation++}-${context.seed}`, page: pageKey(Math.floor(random() * p.pages)), room: roomKey(Math.floor(random() * p.rooms)) };
        if (back) counts.returns++;
        back = null;
        counts.connects++;
        const socket = await churnFleet.connect(url, visit.clientId, true);
        if (!socket) {
          // Counted by the fleet; the next visit after a pause, not a busy loop.
          await delay(p.holdMs);
          continue;
        }
        open.add(socket);
        listen(socket);
        let ending = false;
        const ended = new Promise<void>((resolve) =>
          socket.once('disconnect', () => {
            if (!ending) counts.unexpectedDisconnects++;
            open.delete(socket);
            resolve();
          }),
        );
        await ask(socket, 'page:enter', { page: visit.page });
        await ask(socket, 'room:join', { room: visit.room, profile: { name: `churner ${slot}`, status: `s${++statuses}` } });
        const updates = Math.floor(random() * 4);
        for (let u = 0; u < updates && socket.connected; u++) {
          await delay((random() * p.holdMs) / 4);
          await ask(socket, 'room:update', { room: visit.room, profile: { status: `s${++statuses}` } });
          counts.updates++;
        }
        if (random() < 0.3 && socket.connected) {
          await ask(socket, 'page:leave', { page: visit.page });
          visit.page = pageKey(Math.floor(random() * p.pages));
          await ask(socket, 'page:enter', { page: visit.page });
        }
        await delay((random() * p.holdMs) / 2);
        const end = random();
        ending = true;
        if (end < 0.3) {
          await ask(socket, 'room:leave', { room: visit.room });
          await ask(socket, 'page:leave', { page: visit.page });
          socket.disconnect();
          counts.leaves++;
        } else {
          if (end < 0.65) {
            socket.disconnect();
            counts.closes++;
          } else {
            cut(socket);
            counts.cuts++;
          }
          if (random() < 0.5) {
            back = visit;
            // Back within the grace period, or at once: the held place is taken either way.
            await delay((random() * p.graceMs) / 2);
          }
        }
        await ended;
      }
    };
    const churn = async (seconds: number) => {
      pausing = false;
      const lives = Array.from({ length: p.churners }, (_, slot) => life(slot));
      await delay(seconds * 1000);
      pausing = true;
      await Promise.all(lives);
    };

    await churn(p.checkpoint);
    const checkpoint = await settle(target, fleet.sockets.length, p, context.countIntervalMs, activity, context.timeoutMs);
    context.log(`soak: checkpoint after ${p.checkpoint} s of churn, ${counts.connects} connections so far, live heap ${round(checkpoint.heapBytes / MIB, 1)} MiB`);
    const meter = await startMeter(target);
    await churn(p.duration - p.checkpoint);
    const m = await meter.stop();
    const end = await settle(target, fleet.sockets.length, p, context.countIntervalMs, activity, context.timeoutMs);
    context.log(`soak: end after ${p.duration} s of churn, ${counts.connects} connections, live heap ${round(end.heapBytes / MIB, 1)} MiB`);

    const classes = classesOf(presently.command[presently.command.length - 1]);
    const registry = (label: string) => classes.has(holderOf(label)) || classes.has(ownNameOf(label));
    const changed = compareGroups(checkpoint.collections, end.collections);
    const registryChanged = changed.filter((c) => registry(c.label));
    const otherGrown = changed.filter((c) => !registry(c.label) && c.end > c.checkpoint).sort((a, b) => b.end - b.checkpoint - (a.end - a.checkpoint));
    const entries = (s: Settled) => sum([...s.collections].filter(([label]) => registry(label)).map(([, group]) => group.entries));
    const gauge = (s: Settled, name: string) => s.metrics.get(name) ?? null;
    const figures: Figures = {
      steadyClients: fleet.sockets.length,
      ...counts,
      failedRequests: failures.total,
      unexpectedDisconnects: counts.unexpectedDisconnects + fleet.unexpectedDisconnects,
      heapSetupMb: round(setup.heapBytes / MIB, 2),
      heapCheckpointMb: round(checkpoint.heapBytes / MIB, 2),
      heapEndMb: round(end.heapBytes / MIB, 2),
      heapDriftPct: round(((end.heapBytes - checkpoint.heapBytes) / checkpoint.heapBytes) * 100, 2),
      registryEntriesCheckpoint: entries(checkpoint),
      registryEntriesEnd: entries(end),
      registryGroupsChanged: registryChanged.length,
      timersSetup: sum([...setup.timers.values()]),
      timersCheckpoint: sum([...checkpoint.timers.values()]),
      timersEnd: sum([...end.timers.values()]),
      activeResourcesCheckpoint: gauge(checkpoint, 'nodejs_active_resources_total'),
      activeResourcesEnd: gauge(end, 'nodejs_active_resources_total'),
      activeHandlesCheckpoint: gauge(checkpoint, 'nodejs_active_handles_total'),
      activeHandlesEnd: gauge(end, 'nodejs_active_handles_total'),
      ...gaugeFigures(setup, 'Setup'),
      ...gaugeFigures(checkpoint, 'Checkpoint'),
      ...gaugeFigures(end, 'End'),
      rssCheckpointMb: round(checkpoint.rssBytes / MIB, 1),
      rssEndMb: round(end.rssBytes / MIB, 1),
      settleMs: Math.round(end.settleMs),
      cpuSeconds: round(m.cpuSeconds, 2),
      eventLoopP99Ms: m.eventLoop ? round(m.eventLoop.p99Ms, 1) : null,
      eventLoopMaxMs: m.eventLoop ? round(m.eventLoop.maxMs, 1) : null,
    };
    const timersChanged = [...new Set([...checkpoint.timers.keys(), ...end.timers.keys()])]
      .filter((name) => checkpoint.timers.get(name) !== end.timers.get(name))
      .map((name) => `${name} ${checkpoint.timers.get(name) ?? 0} → ${end.timers.get(name) ?? 0}`);
    const describe = (c: GroupChange) => `${c.label} ${c.checkpointCollections}×/${c.checkpoint} → ${c.endCollections}×/${c.end}`;
    const notes = [
      `registry Maps and Sets (collections × / entries): ${[...end.collections]
        .filter(([label]) => registry(label))
        .sort((a, b) => b[1].entries - a[1].entries)
        .slice(0, 12)
        .map(([label, group]) => `${label} ${group.collections}×/${group.entries}`)
        .join('; ')}`,
      ...(registryChanged.length > 0 ? [`registry Maps and Sets not back to their size (checkpoint → end): ${registryChanged.map(describe).join('; ')}`] : []),
      ...(otherGrown.length > 0 ? [`other Maps and Sets that grew (checkpoint → end): ${otherGrown.slice(0, 8).map(describe).join('; ')}`] : []),
      `live heap, what grew most (checkpoint → end): ${growthPer(checkpoint.kinds, end.kinds, 1)
        .slice(0, 8)
        .map((kind) => `${kind.name} ${kind.count > 0 ? '+' : ''}${kind.count}× ${kind.bytes > 0 ? '+' : ''}${kind.bytes} B`)
        .join('; ')}`,
      `timers armed at the end, by callback: ${[...end.timers].map(([name, n]) => `${name} ${n}`).join('; ')}`,
      ...(timersChanged.length > 0 ? [`timers armed (checkpoint → end): ${timersChanged.join('; ')}`] : []),
      ...failures.notes(),
      ...fleetNotes(fleet),
      ...fleetNotes(churnFleet),
    ];
    return { presently: { figures, notes, window: m.window } };
  },

  checks(results) {
    const f = (key: string) => figure(results, 'presently', key);
    return [
      check(
        `live heap at the end within ${HEAP_DRIFT_PCT} % of the checkpoint's (both settled, after a full GC)`,
        [f('heapCheckpointMb'), f('heapEndMb'), f('heapDriftPct')],
        (a, b, d) => `${a} → ${b} MiB: ${d > 0 ? '+' : ''}${d} %`,
        (_a, _b, d) => Math.abs(d) <= HEAP_DRIFT_PCT,
      ),
      check(
        'every Map and Set of the registry back to its steady size',
        [f('registryGroupsChanged'), f('registryEntriesCheckpoint'), f('registryEntriesEnd')],
        (n, a, b) => `${n} changed; ${a} entries at the checkpoint, ${b} at the end`,
        (n) => n === 0,
      ),
      check(
        'no timer left behind',
        [f('timersCheckpoint'), f('timersEnd'), f('activeResourcesCheckpoint'), f('activeResourcesEnd')],
        (a, b, c, d) => `timers armed ${a} → ${b}; nodejs_active_resources ${c} → ${d}`,
        (a, b, c, d) => b <= a && d <= c,
      ),
      check(
        'registry gauges back to the steady population',
        [f('steadyClients'), f('connectionsEnd'), f('heldEnd'), f('visitorsCheckpoint'), f('visitorsEnd'), f('pagesCheckpoint'), f('pagesEnd'), f('roomsCheckpoint'), f('roomsEnd')],
        (n, c, h) => `${c} connections for ${n} steady clients, ${h} held`,
        (n, c, h, v0, v1, p0, p1, r0, r1) => c === n && h === 0 && v0 === v1 && p0 === p1 && r0 === r1,
      ),
    ];
  },
};

/** `presently_*` gauges as figures: `connections<suffix>`, … */
function gaugeFigures(s: Settled, suffix: string): Figures {
  const figures: Figures = {};
  for (const name of GAUGES) figures[`${name.replace('presently_', '').replace('_connections', '')}${suffix}`] = s.metrics.get(name) ?? null;
  return figures;
}

/**
 * Waits until the registry holds only the steady population (no held
 * connection left, `steady` connections) or the grace period plus 15 s
 * passed, then until the clients heard nothing for two coalescing
 * intervals and `recentMs` has passed since (the last leave was before:
 * every recent leaver is forgotten), and measures.
 */
async function settle(
  target: RunningTarget,
  steady: number,
  { graceMs, recentMs }: { graceMs: number; recentMs: number },
  countIntervalMs: number,
  activity: Activity,
  timeoutMs: number,
): Promise<Settled> {
  const url = target.urls[0];
  const startedAt = performance.now();
  const deadline = startedAt + graceMs + 15_000;
  let metrics = await scrapeSamples(url);
  while ((metrics.get('presently_held_connections') !== 0 || metrics.get('presently_connections') !== steady) && performance.now() < deadline) {
    await delay(100);
    metrics = await scrapeSamples(url);
  }
  const steadyAt = performance.now();
  await activity.quiet(2 * countIntervalMs + 250, timeoutMs);
  // The harness's own requests leave timers behind for a while: the server's keep-alive (5 s) on
  // the idle connection of the last scrape, and the 1 s cache of its Date header. They are gone now.
  await delay(HARNESS_REQUESTS_SETTLE_MS);
  await delay(Math.max(0, steadyAt + recentMs + RECENT_SLACK_MS - performance.now()));
  const settleMs = performance.now() - startedAt;
  const read = await takeHeapSnapshot(target, directory(), (file) => {
    const graph = readHeapGraph(file);
    return { kinds: heapKinds(graph), collections: collectionGroups(graph), timers: armedTimers(graph) };
  });
  metrics = await scrapeSamples(url);
  return {
    heapBytes: liveBytes(read.kinds),
    kinds: read.kinds,
    timers: read.timers,
    collections: read.collections,
    metrics,
    rssBytes: target.sample().rssBytes,
    settleMs,
  };
}

interface GroupChange {
  label: string;
  checkpointCollections: number;
  checkpoint: number;
  endCollections: number;
  end: number;
}

/** The groups whose number of collections or entries differs. */
function compareGroups(checkpoint: ReadonlyMap<string, CollectionGroup>, end: ReadonlyMap<string, CollectionGroup>): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const label of new Set([...checkpoint.keys(), ...end.keys()])) {
    const a = checkpoint.get(label) ?? { collections: 0, entries: 0 };
    const b = end.get(label) ?? { collections: 0, entries: 0 };
    if (a.collections === b.collections && a.entries === b.entries) continue;
    changes.push({ label, checkpointCollections: a.collections, checkpoint: a.entries, endCollections: b.collections, end: b.entries });
  }
  return changes;
}

/** `Grace` of `Grace.byClient[]`. */
function holderOf(label: string): string {
  return label.split('.')[0];
}

/** `AccountedKeys` of `Object.pages (AccountedKeys)`. */
function ownNameOf(label: string): string {
  return /\((\w+)\)$/.exec(label)?.[1] ?? '';
}

/**
 * The classes of the server under test: every `class X` of its bundle
 * (`dist/apps/server/main.js` holds Presently's own code; its packages stay
 * in node_modules). A Map or Set one of them holds, or that is one of them,
 * is the registry's. Read from the build, so that a new class is covered
 * without a list to maintain.
 */
function classesOf(bundle: string): Set<string> {
  if (!bundle.endsWith('.js') || !existsSync(bundle)) throw new Error(`soak: the server's bundle ${bundle} is not a JavaScript file`);
  return new Set([...readFileSync(bundle, 'utf8').matchAll(/\bclass (\w+)/g)].map((match) => match[1]));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Closes the socket's TCP connection at once, with no close frame: the server sees a lost network. */
function cut(socket: BenchSocket): void {
  const transport = socket.io.engine?.transport as unknown as { ws?: { terminate?: () => void } } | undefined;
  if (transport?.ws?.terminate) transport.ws.terminate();
  else socket.disconnect();
}

import type { PageCounts, PageEnterAck } from '@presently/protocol';
import { fleetNotes, serverFigures, warmUp } from '../lib/common';
import { Activity, delay, failure, Failures, Fleet, pool, request, type BenchSocket } from '../lib/fleet';
import { LatencyHistogram, round } from '../lib/histogram';
import { startMeter } from '../lib/meter';
import { seededRandom, zipf } from '../lib/random';
import { check, figure, type Scenario } from '../lib/scenario';

const pageKey = (rank: number) => `/churn/${rank}`;

/** A socket and the page whose counts it follows (its own). */
interface Client {
  socket: BenchSocket;
  page: string | null;
  /** The counts it knows last: its enter's ack, then each `page:count` (they arrive in order). */
  last: PageCounts | null;
  /** Whether any `page:count` arrived since its enter's ack. */
  pushed: boolean;
}

/**
 * `churn`: N steady clients on P pages (Zipf 1), plus K enter/leave cycles
 * per second for D seconds by a pool of churning sockets (each stays on its
 * page up to `holdMs`). When the cycles stop, churners mid-stay stay; once
 * every request is acked and the server is quiet, the counts every client
 * knows last for its page must equal the true count, which the harness
 * knows from its own acked enters and leaves. What a client knows is its
 * `page:enter` ack, then every `page:count` after it: a coalesced change
 * that ends where the last announcement was is not announced again, so a
 * client whose ack already said so hears nothing more (as the protocol says).
 */
export const churn: Scenario<'clients' | 'pages' | 'cycles' | 'duration' | 'holdMs'> = {
  name: 'churn',
  parameters: {
    clients: { full: 2000, quick: 30, scaled: true, help: 'steady clients, one page each' },
    pages: { full: 100, quick: 5, help: 'pages, with a Zipf(1) popularity' },
    cycles: { full: 200, quick: 40, scaled: true, help: 'enter/leave cycles started per second' },
    duration: { full: 30, quick: 2, help: 'seconds of churn' },
    holdMs: { full: 1000, quick: 300, help: 'longest stay of a churner on a page, in ms' },
  },
  describe: (p) => `${p.clients} steady clients on ${p.pages} pages, ${p.cycles} enter/leave cycles/s for ${p.duration} s`,
  // Naive sends every change to every client: at full size it falls minutes behind.
  referenceScale: { naive: 0.2 },
  rows: [
    { key: 'checkedClients', label: 'clients checked' },
    { key: 'mismatches', label: 'last known count ≠ true count' },
    { key: 'knownFromAckOnly', label: 'last known from the ack only' },
    { key: 'cyclesCompleted', label: 'cycles completed' },
    { key: 'cyclesSkipped', label: 'cycles skipped (no idle socket)' },
    { key: 'ackP50Ms', label: 'enter/leave ack p50 (ms)', ratio: true },
    { key: 'ackP99Ms', label: 'enter/leave ack p99 (ms)', ratio: true },
    { key: 'pushesPerClient', label: 'page:count per steady client', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
  ],

  async run(target, p, context) {
    const random = seededRandom(context.seed);
    const pick = zipf(p.pages, 1, random);
    const churners = Math.ceil(p.cycles * (p.holdMs / 1000 + 1)) + 10;
    await warmUp(target, context.addresses);
    const fleet = new Fleet(context.addresses, 'churn');
    context.cleanup(() => fleet.close());
    const activity = new Activity();
    const steady: Client[] = [];
    const idle: Client[] = [];
    const truth = new Map<string, number>();
    const add = (page: string, n: number) => truth.set(page, (truth.get(page) ?? 0) + n);
    let steadyPushes = 0;
    const follow = (socket: BenchSocket, counted: boolean): Client => {
      const client: Client = { socket, page: null, last: null, pushed: false };
      socket.on('page:count', (counts: PageCounts) => {
        activity.touch();
        if (counts.page !== client.page) return;
        client.last = counts;
        client.pushed = true;
        if (counted) steadyPushes++;
      });
      return client;
    };
    await pool(p.clients + churners, context.concurrency, async (i) => {
      const socket = await fleet.connect(target.urls[i % target.urls.length], i);
      if (!socket) return;
      if (i >= p.clients) {
        idle.push(follow(socket, false));
        return;
      }
      const client = follow(socket, true);
      client.page = pageKey(pick());
      const answer = await request<PageEnterAck>(socket, 'page:enter', { page: client.page }, ({ ack }) => known(client, ack));
      const failed = failure(answer);
      if (failed) throw new Error(`page:enter failed: ${failed}`);
      add(client.page, 1);
      steady.push(client);
    });
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);
    steadyPushes = 0;

    const acks = new LatencyHistogram();
    const staying = new Map<Client, NodeJS.Timeout>();
    /** Churners whose enter was acked and whose leave was not. */
    const present = new Set<Client>();
    const inFlight = new Set<Promise<void>>();
    let stopping = false;
    let completed = 0;
    let skipped = 0;
    const failures = new Failures();
    /**
     * Sends an enter or leave; `then` runs in the ack's callback, in order
     * with the socket's events, when it was acked `ok`. A churner whose
     * request failed is left out: what the server did with it is unknown.
     */
    const send = (client: Client, event: 'page:enter' | 'page:leave', page: string, then: (ack: PageEnterAck) => void) => {
      const sent = request<PageEnterAck>(client.socket, event, { page }, (answer) => {
        activity.touch();
        if (failures.failed(event, answer) || !answer.ack) return;
        acks.record(answer.ms);
        then(answer.ack);
      }).then(() => void inFlight.delete(sent));
      inFlight.add(sent);
    };
    const leave = (client: Client) => {
      staying.delete(client);
      const page = client.page;
      if (page === null) return;
      send(client, 'page:leave', page, () => {
        add(page, -1);
        present.delete(client);
        client.page = null;
        client.last = null;
        completed++;
        idle.push(client);
      });
    };
    const cycle = () => {
      const client = idle.pop();
      if (!client) {
        skipped++;
        return;
      }
      const page = pageKey(pick());
      client.page = page;
      client.last = null;
      send(client, 'page:enter', page, (ack) => {
        known(client, ack);
        add(page, 1);
        present.add(client);
        if (stopping) return;
        staying.set(client, setTimeout(() => leave(client), random() * p.holdMs));
      });
    };

    const meter = await startMeter(target);
    const startedAt = performance.now();
    const total = Math.round(p.cycles * p.duration);
    for (let n = 0; n < total; n++) {
      await delay(startedAt + (n * 1000) / p.cycles - performance.now());
      cycle();
    }
    await delay(startedAt + p.duration * 1000 - performance.now());
    // Churners mid-stay stay where they are; requests under way complete.
    stopping = true;
    for (const timer of staying.values()) clearTimeout(timer);
    while (inFlight.size > 0) await Promise.all(inFlight);
    await activity.quiet(2 * context.countIntervalMs + 250, context.timeoutMs);
    const m = await meter.stop();

    const checked = [...steady, ...present];
    const wrong: string[] = [];
    for (const client of checked) {
      const expected = (client.page !== null && truth.get(client.page)) || 0;
      if (client.last?.viewers === expected && client.last.connections === expected) continue;
      wrong.push(`${client.page}: last ${client.last ? `${client.last.viewers}/${client.last.connections}` : 'none'}, true ${expected}`);
    }
    const ack = acks.summary();
    const notes = fleetNotes(fleet);
    if (wrong.length > 0) notes.push(`mismatches, e.g. ${wrong.slice(0, 3).join('; ')}`);
    notes.push(...failures.notes());
    return {
      figures: {
        checkedClients: checked.length,
        mismatches: wrong.length,
        knownFromAckOnly: checked.filter((client) => !client.pushed).length,
        cyclesCompleted: completed,
        cyclesSkipped: skipped,
        ackP50Ms: ack.p50,
        ackP99Ms: ack.p99,
        pushesPerClient: round(steadyPushes / Math.max(1, steady.length), 2),
        ...serverFigures(m, m.rssBytes, 0),
        unexpectedDisconnects: fleet.unexpectedDisconnects,
      },
      notes,
      window: m.window,
    };
  },

  checks(results) {
    const f = (name: string, key: string) => figure(results, name, key);
    const other = ['bare', 'naive']
      .filter((name) => results[name])
      .map((name) => `${name}: ${f(name, 'mismatches') ?? 'n/a'}`)
      .join(', ');
    return [
      check(
        '0 mismatches for Presently',
        [f('presently', 'mismatches'), f('presently', 'checkedClients')],
        (m, c) => `${m} of ${c} clients${other ? ` (${other})` : ''}`,
        (m, c) => m === 0 && c > 0,
      ),
    ];
  },
};

/** The counts a `page:enter` ack gave: what the client knows until a `page:count` follows. */
function known(client: Client, ack: PageEnterAck | null): void {
  if (!ack?.ok) return;
  client.last = { page: ack.page, viewers: ack.viewers, connections: ack.connections, active: ack.active };
  client.pushed = false;
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmUp } from '../lib/common';
import { delay, Failures, Fleet, pool, request } from '../lib/fleet';
import { takeHeapSnapshot } from '../lib/heap-snapshot';
import { round } from '../lib/histogram';
import { check, figure, type Scenario, type TargetOutcome } from '../lib/scenario';
import type { RunningTarget } from '../lib/targets';

/** The one client address every socket comes from, as the trusted proxy reports it. */
const ADDRESS = '203.0.113.7';
const MIB = 2 ** 20;
/** The target for the whole combination with the default limits. */
const TARGET_MIB = 64;

let snapshotDir: string | undefined;
const directory = () => (snapshotDir ??= mkdtempSync(join(tmpdir(), 'presently-bench-budget-')));

/**
 * `address-budget`: the worst combination one client address may try with
 * the default limits (issue 17, item 2): `sockets` connections from one
 * address (behind one trusted proxy), each watching `watched` pages, entering
 * `pages` pages and joining `rooms` rooms with a 1 KiB `meta`, every key
 * `keyLength` characters and distinct. `MAX_BYTES_PER_ADDRESS` refuses what
 * passes 16 MiB; measured: the live heap growth (snapshots after a full GC)
 * of the connections alone and of the whole combination, and the bytes the
 * server accounts. Rate limits are the bench's (off): the budget alone bounds
 * the state. Presently only; `--sockets` sizes it (the full run takes about a
 * minute, most of it in the three heap snapshots).
 */
export const addressBudget: Scenario<'sockets' | 'pages' | 'watched' | 'rooms' | 'keyLength' | 'denseMeta'> = {
  name: 'address-budget',
  parameters: {
    sockets: { full: 1000, quick: 20, scaled: true, help: 'sockets from the one address (the default MAX_CONNECTIONS_PER_IP)' },
    pages: { full: 100, quick: 100, help: 'pages each socket enters' },
    watched: { full: 1000, quick: 1000, help: 'pages each socket watches (100 per page:watch)' },
    rooms: { full: 100, quick: 100, help: 'rooms each socket joins' },
    keyLength: { full: 512, quick: 512, help: 'characters of every key' },
    denseMeta: { full: 1, quick: 1, help: '1: meta is 1 KiB of [{},{},…] (the densest); 0: a 1 KiB string' },
  },
  describe: (p) =>
    `${p.sockets} sockets from one address, each watching ${p.watched}, entering ${p.pages} and joining ${p.rooms} with 1 KiB meta, keys of ${p.keyLength} characters`,
  env: () => ({ TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '1000' }),
  nodeFlags: () => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory()}`],
  rows: [
    { key: 'sockets', label: 'sockets connected from the address' },
    { key: 'eventsOk', label: 'events acked ok' },
    { key: 'eventsRefused', label: 'events refused LIMIT_EXCEEDED' },
    { key: 'accountedMb', label: 'accounted state (MiB, presently_state_bytes)' },
    { key: 'socketsHeapMb', label: 'heap growth: the sockets alone (MiB)' },
    { key: 'stateHeapMb', label: 'heap growth: their state (MiB)' },
    { key: 'heapGrowthMb', label: 'heap growth: the whole combination (MiB)' },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('address-budget measures Presently: keep it in --targets');
    const target = await start(presently);
    await warmUp(target, context.addresses);
    const url = target.urls[0];
    const fleet = new Fleet(context.addresses, 'budget', { 'x-forwarded-for': ADDRESS });
    context.cleanup(() => fleet.close());
    const failures = new Failures();
    let ok = 0;
    const key = (kind: string, socket: number, i: number) => `/${kind}/${socket}/${i}/`.padEnd(p.keyLength, 'k');
    const meta = p.denseMeta ? { a: Array.from({ length: 330 }, () => ({})) } : { note: 'm'.repeat(1000) };
    const answered = (event: string, answer: Parameters<Failures['failed']>[1]) => {
      if (!failures.failed(event, answer)) ok++;
    };

    const before = await liveHeap(target);
    await pool(p.sockets, context.concurrency, async (i) => {
      await fleet.connect(url, i);
    });
    const connected = await liveHeap(target);
    context.log(`address-budget: ${fleet.sockets.length} sockets connected`);
    // Each socket takes its share of every kind in ten rounds, so that the budget is spent on the mix.
    const ROUNDS = 10;
    const share = (n: number, r: number) => [Math.floor((n * r) / ROUNDS), Math.floor((n * (r + 1)) / ROUNDS)];
    await pool(fleet.sockets.length, context.concurrency, async (i) => {
      const socket = fleet.sockets[i];
      for (let r = 0; r < ROUNDS; r++) {
        const [w0, w1] = share(p.watched, r);
        for (let from = w0; from < w1; from += 100) {
          const pages = Array.from({ length: Math.min(100, w1 - from) }, (_, j) => key('w', i, from + j));
          answered('page:watch', await request(socket, 'page:watch', { pages }));
        }
        const [p0, p1] = share(p.pages, r);
        for (let j = p0; j < p1; j++) answered('page:enter', await request(socket, 'page:enter', { page: key('p', i, j) }));
        const [r0, r1] = share(p.rooms, r);
        for (let j = r0; j < r1; j++) answered('room:join', await request(socket, 'room:join', { room: key('r', i, j), profile: { meta } }));
      }
    });
    // Trailing coalesced counts go out before the snapshot.
    await delay(context.countIntervalMs * 2);
    const accounted = await gauge(url, 'presently_state_bytes');
    const after = await liveHeap(target);
    const refused = failures.notes().filter((note) => note.includes('LIMIT_EXCEEDED'));
    const outcome: TargetOutcome = {
      figures: {
        sockets: fleet.sockets.length,
        eventsOk: ok,
        eventsRefused: refused.reduce((n, note) => n + Number(note.split('×')[0]), 0),
        accountedMb: accounted === null ? null : round(accounted / MIB, 2),
        socketsHeapMb: round((connected - before) / MIB, 1),
        stateHeapMb: round((after - connected) / MIB, 1),
        heapGrowthMb: round((after - before) / MIB, 1),
      },
      notes: [...failures.notes(), ...[...fleet.errors].map(([error, n]) => `${n}× ${error}`)],
    };
    return { presently: outcome };
  },

  checks(results) {
    return [
      check(
        `heap growth of the worst combination from one address ≤ ${TARGET_MIB} MiB (default limits)`,
        [figure(results, 'presently', 'heapGrowthMb')],
        (mb) => `${mb} MiB`,
        (mb) => mb <= TARGET_MIB,
      ),
      check(
        'accounted state ≤ MAX_BYTES_PER_ADDRESS (16 MiB)',
        [figure(results, 'presently', 'accountedMb')],
        (mb) => `${mb} MiB`,
        (mb) => mb <= 16,
      ),
    ];
  },
};

/** A gauge of the server's `/metrics`, or null. */
async function gauge(url: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

/** The server's live heap in bytes: a heap snapshot (after a full GC), summed. */
async function liveHeap(target: RunningTarget): Promise<number> {
  const kinds = await takeHeapSnapshot(target, directory());
  let bytes = 0;
  for (const kind of kinds.values()) bytes += kind.bytes;
  return bytes;
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PageEnterAck } from '@presently/protocol';
import { fleetNotes, warmUp } from '../lib/common';
import { Activity, Fleet, pool, request } from '../lib/fleet';
import { growthPer, takeHeapSnapshot } from '../lib/heap-snapshot';
import { round } from '../lib/histogram';
import { check, figure, type Scenario } from '../lib/scenario';

let snapshotDir: string | undefined;
const directory = () => (snapshotDir ??= mkdtempSync(join(tmpdir(), 'presently-bench-heap-')));

/**
 * `heap`: what one connection keeps alive on the server's heap. The server
 * runs with `--heapsnapshot-signal=SIGUSR2`; a heap snapshot (taken after a
 * full GC, so only live objects count) before and after N clients connect
 * and enter a page, and the growth divided by N, by constructor. Not part of
 * `all`: a diagnostic for the RSS-per-connection figures of `storm` and
 * `hold`. Node.js servers only.
 */
export const heap: Scenario<'clients' | 'pages'> = {
  name: 'heap',
  parameters: {
    clients: { full: 2000, quick: 30, scaled: true, help: 'clients that connect and enter a page' },
    pages: { full: 100, quick: 5, help: 'pages they spread over' },
  },
  describe: (p) => `live heap per connection: ${p.clients} clients on ${p.pages} pages, heap snapshots before and after`,
  nodeFlags: () => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory()}`],
  rows: [
    { key: 'clients', label: 'clients entered' },
    { key: 'heapPerConnectionKb', label: 'live heap per connection (KB)', ratio: true },
    { key: 'objectsPerConnection', label: 'heap objects per connection', ratio: true },
    { key: 'closuresPerConnection', label: 'closures per connection', ratio: true },
  ],

  async run(target, p, context) {
    if (target.pids.length !== 1) throw new Error('heap measures one server process');
    await warmUp(target, context.addresses);
    const fleet = new Fleet(context.addresses, 'heap');
    context.cleanup(() => fleet.close());
    const before = await takeHeapSnapshot(target, directory());
    const activity = new Activity();
    await pool(p.clients, context.concurrency, async (i) => {
      const socket = await fleet.connect(target.urls[0], i);
      if (!socket) return;
      socket.on('page:count', () => activity.touch());
      await request<PageEnterAck>(socket, 'page:enter', { page: `/heap/${i % p.pages}` });
      activity.touch();
    });
    await activity.quiet(context.countIntervalMs + 250, context.timeoutMs);
    const after = await takeHeapSnapshot(target, directory());
    const n = fleet.sockets.length;
    const growth = growthPer(before, after, n);
    const sum = (list: typeof growth, key: 'bytes' | 'count') => list.reduce((total, kind) => total + kind[key], 0);
    return {
      figures: {
        clients: n,
        heapPerConnectionKb: round(sum(growth, 'bytes') / 1024, 2),
        objectsPerConnection: round(sum(growth, 'count'), 1),
        closuresPerConnection: round(sum(growth.filter((kind) => kind.name.startsWith('closure')), 'count'), 1),
      },
      notes: [
        ...fleetNotes(fleet),
        `per connection: ${growth
          .slice(0, 12)
          .map((kind) => `${kind.name} ${round(kind.count, 1)}× ${Math.round(kind.bytes)} B`)
          .join('; ')}`,
      ],
    };
  },

  checks(results) {
    const f = (name: string, key: string) => figure(results, name, key);
    return [
      check(
        'live heap per connection ≤ bare + 3 KB (the storm target, without garbage or V8 reserves)',
        [f('presently', 'heapPerConnectionKb'), f('bare', 'heapPerConnectionKb')],
        (pr, b) => `${pr} KB vs ${b} KB: +${round(pr - b, 2)} KB`,
        (pr, b) => pr <= b + 3,
      ),
    ];
  },
};

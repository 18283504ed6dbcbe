import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectionGroups } from './heap-collections';
import { heapKinds, liveBytes, readHeapGraph, type HeapGraph } from './heap-snapshot';
import { armedTimers } from './heap-timers';

/**
 * A real heap snapshot of a small Node.js process whose Maps, Sets and
 * timers are known, written by `v8.writeHeapSnapshot` (after a full GC,
 * as `--heapsnapshot-signal` does).
 */
const PROGRAM = `
class Holder {
  constructor() {
    this.byId = new Map();
    this.numbers = new Map();
    this.members = new Set();
    this.nested = new Map();
    this.empty = new Map();
  }
}
class Keys extends Set {}
const holder = new Holder();
for (let i = 0; i < 100; i++) holder.byId.set('id' + i, { i });
for (let i = 0; i < 100; i++) if (i % 4) holder.byId.delete('id' + i);
for (let i = 0; i < 9; i++) holder.numbers.set('n' + i, i);
for (let i = 0; i < 7; i++) holder.members.add('m' + i);
for (let i = 0; i < 3; i++) holder.nested.set('s' + i, new Set(['a' + i, 'b' + i]));
holder.keys = new Keys(['x', 'y']);
globalThis.holder = holder;
function armedOne() {}
function spentOne() {}
globalThis.armed = setTimeout(armedOne, 600000);
globalThis.unrefd = setTimeout(armedOne, 600000).unref();
globalThis.spent = setTimeout(spentOne, 600000);
clearTimeout(globalThis.spent);
require('v8').writeHeapSnapshot(process.argv[1]);
process.exit(0);
`;

describe('heap snapshot graph', () => {
  let graph: HeapGraph;

  beforeAll(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-heap-')), 'known.heapsnapshot');
    execFileSync(process.execPath, ['-e', PROGRAM, file]);
    graph = readHeapGraph(file);
  });

  it('reads every node and edge the header announces', () => {
    const kinds = heapKinds(graph);
    expect(kinds.get('Holder')?.count).toBe(1);
    expect(liveBytes(kinds)).toBeGreaterThan(1_000_000);
    expect(graph.edges.length % graph.edgeFields.length).toBe(0);
  });

  it('groups Maps and Sets by holder, with their live entries', () => {
    const groups = collectionGroups(graph);
    // 25 left of 100 after deletes: deleted entries hold holes, which the snapshot does not record.
    expect(groups.get('Holder.byId')).toEqual({ collections: 1, entries: 25 });
    // Values that are small integers: the keys alone show the entries.
    expect(groups.get('Holder.numbers')).toEqual({ collections: 1, entries: 9 });
    expect(groups.get('Holder.members')).toEqual({ collections: 1, entries: 7 });
    expect(groups.get('Holder.nested')).toEqual({ collections: 1, entries: 3 });
    expect(groups.get('Holder.nested[]')).toEqual({ collections: 3, entries: 6 });
    expect(groups.get('Holder.empty')).toEqual({ collections: 1, entries: 0 });
    expect(groups.get('Holder.keys (Keys)')).toEqual({ collections: 1, entries: 2 });
  });

  it('counts armed timers by callback, unref()ed ones included, cleared ones not', () => {
    const timers = armedTimers(graph);
    expect(timers.get('Timeout armedOne')).toBe(2);
    expect(timers.has('Timeout spentOne')).toBe(false);
  });
});

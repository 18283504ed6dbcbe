import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { delay } from './fleet';
import type { RunningTarget } from './targets';

/** Heap objects of one kind: how many, and their own (shallow) bytes. */
export interface HeapKind {
  count: number;
  bytes: number;
}

/**
 * A V8 heap snapshot (`.heapsnapshot`, as `node --heapsnapshot-signal`
 * writes after a full GC) as flat arrays: `nodes` holds `nodeFields.length`
 * numbers per node, `edges` `edgeFields.length` per edge, the edges of each
 * node following those of the node before it. Names are indexes into
 * `strings` (an edge's `name_or_index` is an index for element and hidden
 * edges).
 */
export interface HeapGraph {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  nodes: Uint32Array;
  edges: Uint32Array;
  strings: string[];
}

/**
 * Reads a heap snapshot's nodes, edges and strings. Reads the file as bytes
 * and parses the number arrays itself, so that snapshots of hundreds of
 * megabytes need no giant string.
 */
export function readHeapGraph(file: string): HeapGraph {
  const bytes = readFileSync(file);
  const nodesAt = bytes.indexOf('"nodes":[');
  const edgesAt = bytes.indexOf('"edges":[', nodesAt);
  const stringsAt = bytes.lastIndexOf('"strings":[');
  if (nodesAt < 0 || edgesAt < 0 || stringsAt < 0) throw new Error(`${file} is not a heap snapshot`);
  const head = bytes.toString('utf8', 0, nodesAt).trim().replace(/,$/, '');
  const snapshot = (JSON.parse(`${head}}`) as { snapshot: SnapshotHead }).snapshot;
  const { meta } = snapshot;
  // The strings come last: `"strings":[...]}` closes the file's object.
  const strings = (JSON.parse(`{${bytes.toString('utf8', stringsAt).trim()}`) as { strings: string[] }).strings;
  const end = bytes.indexOf(']', edgesAt);
  return {
    nodeFields: meta.node_fields,
    nodeTypes: meta.node_types[0],
    edgeFields: meta.edge_fields,
    edgeTypes: meta.edge_types[0],
    nodes: numbers(bytes, nodesAt + '"nodes":['.length, edgesAt, snapshot.node_count * meta.node_fields.length),
    edges: numbers(bytes, edgesAt + '"edges":['.length, end, snapshot.edge_count * meta.edge_fields.length),
    strings,
  };
}

interface SnapshotHead {
  meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  node_count: number;
  edge_count: number;
}

/** The `count` non-negative integers written between `from` and `to`. */
function numbers(bytes: Buffer, from: number, to: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (inNumber) {
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
  }
  if (inNumber) out[n++] = value;
  if (n !== count) throw new Error(`heap snapshot: ${n} numbers where the header announces ${count}`);
  return out;
}

/**
 * Totals of a heap snapshot by kind: constructor name for objects and
 * closures, one bucket each for strings and code.
 */
export function heapKinds(graph: HeapGraph): Map<string, HeapKind> {
  const width = graph.nodeFields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => graph.nodeFields.indexOf(f));
  const kinds = new Map<string, HeapKind>();
  const { nodes, strings, nodeTypes } = graph;
  for (let at = 0; at < nodes.length; at += width) {
    const name = kindName(nodeTypes[nodes[at + typeAt]], strings[nodes[at + nameAt]]);
    const kind = kinds.get(name);
    if (kind) {
      kind.count++;
      kind.bytes += nodes[at + sizeAt];
    } else kinds.set(name, { count: 1, bytes: nodes[at + sizeAt] });
  }
  return kinds;
}

/** {@link heapKinds} of the snapshot in `file`. */
export function readHeapSnapshot(file: string): Map<string, HeapKind> {
  return heapKinds(readHeapGraph(file));
}

/** Live bytes: the snapshot's own sizes, summed. */
export function liveBytes(kinds: ReadonlyMap<string, HeapKind>): number {
  let bytes = 0;
  for (const kind of kinds.values()) bytes += kind.bytes;
  return bytes;
}

function kindName(type: string, name: string | undefined): string {
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(strings)';
  if (type === 'code') return '(compiled code)';
  if (type === 'object' || type === 'closure') return `${type === 'closure' ? 'closure ' : ''}${name || '(anonymous)'}`.slice(0, 80);
  return `(${type}) ${name ?? ''}`.trim().slice(0, 80);
}

/** What grew from `before` to `after`, per `n` (connections), largest first. */
export function growthPer(before: Map<string, HeapKind>, after: Map<string, HeapKind>, n: number): { name: string; count: number; bytes: number }[] {
  return [...after]
    .map(([name, kind]) => {
      const was = before.get(name) ?? { count: 0, bytes: 0 };
      return { name, count: (kind.count - was.count) / n, bytes: (kind.bytes - was.bytes) / n };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * Signals the server (run with `--heapsnapshot-signal=SIGUSR2` and
 * `--diagnostic-dir=<dir>`) to write a heap snapshot, waits until it is
 * written, reads it (by kind, or with `read`) and deletes it.
 */
export function takeHeapSnapshot(target: RunningTarget, dir: string): Promise<Map<string, HeapKind>>;
export function takeHeapSnapshot<T>(target: RunningTarget, dir: string, read: (file: string) => T): Promise<T>;
export async function takeHeapSnapshot<T>(target: RunningTarget, dir: string, read: (file: string) => T | Map<string, HeapKind> = readHeapSnapshot): Promise<T | Map<string, HeapKind>> {
  const pid = target.pids[0];
  const mine = () => readdirSync(dir).filter((name) => name.includes(`.${pid}.`) && name.endsWith('.heapsnapshot'));
  const existing = new Set(mine());
  process.kill(pid, 'SIGUSR2');
  const deadline = performance.now() + 120_000;
  let file: string | undefined;
  while (!(file = mine().find((name) => !existing.has(name)))) {
    if (performance.now() > deadline || !target.alive()) throw new Error('the server wrote no heap snapshot (is it a Node.js process?)');
    await delay(50);
  }
  // The server writes the snapshot synchronously: it answers HTTP again only once the file is complete.
  await target.eventLoop();
  const path = join(dir, file);
  try {
    return read(path);
  } finally {
    if (existsSync(path)) unlinkSync(path);
  }
}

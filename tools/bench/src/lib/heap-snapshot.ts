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
 * Totals of a V8 heap snapshot (`.heapsnapshot`, as `node
 * --heapsnapshot-signal` writes after a full GC), by kind: constructor name
 * for objects and closures, one bucket each for strings and code. Reads the
 * file as bytes and only the `nodes` and `strings` sections, so that
 * snapshots of hundreds of megabytes need no giant string.
 */
export function readHeapSnapshot(file: string): Map<string, HeapKind> {
  const bytes = readFileSync(file);
  const nodesAt = bytes.indexOf('"nodes":[');
  const edgesAt = bytes.indexOf('"edges":[', nodesAt);
  const stringsAt = bytes.lastIndexOf('"strings":[');
  if (nodesAt < 0 || edgesAt < 0 || stringsAt < 0) throw new Error(`${file} is not a heap snapshot`);
  const head = bytes.toString('utf8', 0, nodesAt).trim().replace(/,$/, '');
  const meta = (JSON.parse(`${head}}`) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } } }).snapshot.meta;
  // The strings come last: `"strings":[...]}` closes the file's object.
  const strings = JSON.parse(`{${bytes.toString('utf8', stringsAt).trim()}`) as { strings: string[] };
  const fields = meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = meta.node_types[0];
  const kinds = new Map<string, HeapKind>();
  const record: number[] = [];
  let value = 0;
  let inNumber = false;
  for (let i = nodesAt + '"nodes":['.length; i < edgesAt; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (!inNumber) continue;
    record.push(value);
    value = 0;
    inNumber = false;
    if (record.length < width) continue;
    const type = types[record[typeAt]];
    const name = kindName(type, strings.strings[record[nameAt]]);
    const kind = kinds.get(name) ?? { count: 0, bytes: 0 };
    kind.count++;
    kind.bytes += record[sizeAt];
    kinds.set(name, kind);
    record.length = 0;
  }
  return kinds;
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
 * written, reads it and deletes it.
 */
export async function takeHeapSnapshot(target: RunningTarget, dir: string): Promise<Map<string, HeapKind>> {
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
    return readHeapSnapshot(path);
  } finally {
    if (existsSync(path)) unlinkSync(path);
  }
}

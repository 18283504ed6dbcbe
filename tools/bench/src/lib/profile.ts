import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { round } from './histogram';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

/** Where a V8 CPU profile (`node --cpu-prof`) spent its time. */
export interface ProfileSummary {
  file: string;
  /**
   * Time between the samples counted, in ms (within the window when one was
   * given and it overlaps): wall time, so on a busy machine more than the
   * CPU time `/proc` reports; the shares are what to read.
   */
  totalMs: number;
  windowed: boolean;
  /** Functions by self time. */
  self: ProfileEntry[];
  /** Functions by inclusive time (a function counted once per stack, recursion or not). */
  inclusive: ProfileEntry[];
  /** Self time by where the code comes from: an npm package, Node.js, the bundle, GC. */
  byOrigin: ProfileEntry[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/**
 * Summarises a `.cpuprofile`, counting only the samples within `window`
 * (monotonic µs, the clock V8 stamps its samples with) when given.
 */
export function summarizeProfile(file: string, window?: [number, number], top = 15, match?: RegExp): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const windowed = window !== undefined && window[0] < profile.endTime && window[1] > profile.startTime;
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (windowed && (at < window[0] || at > window[1])) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + us);
  }
  const key = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (!url) return functionName || '(anonymous)';
    return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const origin = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    total += us;
    add(self, key(node), us);
    add(origin, originOf(node), us);
  }
  // Inclusive: every distinct function on the stack gets the sample's time once.
  const inclusive = new Map<string, number>();
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let node = byId.get(id); node; node = byId.get(parents.get(node.id) ?? -1)) {
      const name = key(node);
      if (SPECIAL.has(name) || seen.has(name)) continue;
      seen.add(name);
      add(inclusive, name, us);
    }
  }
  const entries = (map: Map<string, number>, n: number) =>
    [...map]
      .filter(([name]) => !match || match.test(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: total > 0 ? round((100 * us) / total, 1) : 0 }));
  const byOrigin = [...origin]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: total > 0 ? round((100 * us) / total, 1) : 0 }));
  return { file, totalMs: round(total / 1000, 1), windowed, self: entries(self, top), inclusive: entries(inclusive, top), byOrigin };
}

export function formatProfile(summary: ProfileSummary, label: string): string {
  const list = (entries: ProfileEntry[]) => entries.map((e) => `    ${String(e.percent).padStart(5)} %  ${String(e.ms).padStart(8)} ms  ${e.name}`).join('\n');
  return [
    `\nprofile ${label}: ${summary.totalMs} ms between samples${summary.windowed ? ' in the measured phase' : ' (whole run)'} (${basename(summary.file)})`,
    '  by origin (self time):',
    list(summary.byOrigin),
    '  functions by self time:',
    list(summary.self),
    '  functions by inclusive time:',
    list(summary.inclusive),
    '',
  ].join('\n');
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function originOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (!url) return SPECIAL.has(functionName) ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node (core)';
  if (url.includes('/dist/apps/server/')) return 'presently (bundle)';
  if (url.includes('/dist/tools/bench/')) return 'reference server';
  return shortUrl(url);
}

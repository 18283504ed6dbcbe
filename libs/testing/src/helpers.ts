import type { PageCounts } from '@presently/protocol';
import { clientId, connect, EVENT_TIMEOUT_MS, record, request, signToken, type TestSocket } from './client';

/** A key (page or room) unique to this test process and call. */
let keyCounter = 0;
export function key(prefix: string): string {
  keyCounter += 1;
  return `${prefix}-${process.pid}-${keyCounter}`;
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  text: string;
  contentType: string | null;
}

/** GETs `url + path` and parses the body as JSON when it is JSON. */
export async function get<T = any>(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(`${baseUrl}${path}`, { headers });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics): kept as text
  }
  return { status: response.status, body: body as T, text, contentType: response.headers.get('content-type') };
}

/** `GET /api/pages/count` for one page. */
export async function pageCount(baseUrl: string, page: string): Promise<PageCounts> {
  const answer = await get(baseUrl, `/api/pages/count?page=${encodeURIComponent(page)}`);
  if (answer.status !== 200) throw new Error(`GET /api/pages/count answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

/** One sample of the Prometheus text format: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (comments skipped, label values unescaped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, label, raw] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** `GET /metrics`, parsed. */
export async function metricSamples(baseUrl: string): Promise<MetricSample[]> {
  return parseMetrics((await get(baseUrl, '/metrics')).text);
}

/** The value of the sample of `name` whose labels include `labels`; `undefined` when there is none. */
export function sampleValue(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** The unlabelled samples of `GET /metrics` (the gauges), by name. */
export async function metrics(baseUrl: string): Promise<Record<string, number>> {
  const gauges: Record<string, number> = {};
  for (const sample of await metricSamples(baseUrl)) {
    if (Object.keys(sample.labels).length === 0) gauges[sample.name] = sample.value;
  }
  return gauges;
}

/** POSTs JSON (a string is sent as is) and parses the answer when it is JSON. */
export async function post<T = any>(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed as T, text, contentType: response.headers.get('content-type') };
}

/**
 * Polls `check` until it holds, failing after `timeoutMs` with `what`. Used
 * only to wait for server-side state that no event announces (a disconnect
 * being registered as held), never to let time pass.
 */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the server's gauge `name` satisfies `predicate`. */
export async function untilMetric(baseUrl: string, name: string, predicate: (value: number) => boolean, timeoutMs = 10_000): Promise<void> {
  let last: number | undefined;
  await until(
    async () => {
      last = (await metrics(baseUrl))[name];
      return last !== undefined && predicate(last);
    },
    `${name} matches (last seen ${last})`,
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last ${name} = ${last}`);
  });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`), crafted by hand: header.payload. (empty signature). */
export function unsignedToken(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

/**
 * An anonymous visitor's public userId as the protocol states it: `a_` and 22
 * characters of `[A-Za-z0-9_-]`, derived from its clientId (never equal to it).
 */
export const ANONYMOUS_ID = /^a_[A-Za-z0-9_-]{22}$/;

/** Epoch seconds. */
export const nowS = () => Math.floor(Date.now() / 1000);

/** A valid HS256 session token for `sub`, expiring in an hour. */
export function userToken(secret: string, sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return signToken(secret, { sub, ...claims }, { expiresIn: '1h' });
}

/** Deep-equality predicate for `waitFor`. */
export function equals<T>(expected: T): (payload: T) => boolean {
  return (payload) => JSON.stringify(sortKeys(payload)) === JSON.stringify(sortKeys(expected));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Page counts as pushed in `page:count` (`active`: by default every viewer). */
export const counts = (page: string, viewers: number, connections: number, active = viewers): PageCounts => ({ page, viewers, connections, active });

export type { PageCounts };
const receivedCounts = new WeakMap<TestSocket, PageCounts[]>();

/** Starts keeping every `page:count` `socket` receives; answers the (live) list. */
export function recordCounts(socket: TestSocket): PageCounts[] {
  const list = record<PageCounts>(socket, 'page:count');
  receivedCounts.set(socket, list);
  return list;
}

/** The `page:count`s recorded for `socket` so far (see {@link recordCounts}). */
export function countsReceived(socket: TestSocket): PageCounts[] {
  return receivedCounts.get(socket) ?? [];
}

/** A socket on `url` (as client `id`) that entered `page`, its `page:count`s recorded from before the enter. */
export async function enterPage(url: string, page: string, id = clientId()): Promise<TestSocket> {
  const { socket } = await connect(url, { clientId: id });
  recordCounts(socket);
  const ack = await request(socket, 'page:enter', { page });
  if (!ack.ok) throw new Error(`page:enter ${page} refused: ${JSON.stringify(ack)}`);
  return socket;
}

/** A socket on `url` that watches `page`, its `page:count`s recorded from before the watch. */
export async function watchPage(url: string, page: string): Promise<TestSocket> {
  const { socket } = await connect(url);
  recordCounts(socket);
  const ack = await request(socket, 'page:watch', { pages: [page] });
  if (!ack.ok) throw new Error(`page:watch ${page} refused: ${JSON.stringify(ack)}`);
  return socket;
}

/** Resolves once `socket` has received `expected` (it may have arrived already). */
export function countArrived(socket: TestSocket, expected: PageCounts, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
  const list = countsReceived(socket);
  return until(
    () => list.some((c) => c.page === expected.page && c.viewers === expected.viewers && c.connections === expected.connections && c.active === expected.active),
    `page:count ${JSON.stringify(expected)} arrived (saw ${JSON.stringify(list)})`,
    timeoutMs,
  );
}

/**
 * Strings that have broken validators before: empty, blank, control and
 * lone-surrogate characters, prototype names, keys just inside and just past
 * 512 UTF-16 code units, and a few real page and room names so that random
 * input also lands on existing state; and text that would make a list lie
 * about who is there (bidi controls, line separators, invisible-only names),
 * with names whose length or equality depends on Unicode normalisation.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '/a\u007f',
  '/a\u0085',
  '\ud800',
  '/\udfff',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'a'.repeat(512),
  'a'.repeat(513),
  '😀'.repeat(256),
  '😀'.repeat(257),
  '/fuzz/a',
  '/fuzz/b',
  'fuzz-room',
  'private:fuzz',
  'role:admin',
  'role:admin:x',
  'red',
  // Shaped like an anonymous public id: as a key or a clientId it is nobody's identity.
  'a_AAAAAAAAAAAAAAAAAAAAAA',
  '\u202e',
  'nimdA\u202e',
  '\u202aAda\u202c',
  '\u2066x\u2069',
  '\u2068Ada',
  'a\u2028b',
  '\u2029',
  '\u200b',
  '\u200b\u200d\ufeff',
  '\u3000\u00a0',
  '\u3164',
  '\ufe0f\u00ad',
  'Ade\u0301le',
  'Ad\u00e9le',
  'e\u0301'.repeat(64),
  '\u0958'.repeat(33),
];

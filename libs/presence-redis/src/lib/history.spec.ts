import { HISTORY_INTERVAL_MS, type ActivityState } from '@presently/protocol';
import type { LedgerMember, PresenceContributions } from '@presently/presence-core';
import { startRedis, type RunningRedis } from '@presently/testing';
import { Redis } from 'ioredis';
import { DATA_FORMAT, HISTORY_KEPT_MS } from './contract';
import { RedisPresenceStore } from './redis-presence-store';

/**
 * The occupancy history in Redis, two stores standing for two processes:
 * the page scripts keep each page's minute buckets from its cluster-wide
 * viewers (the peak exact under concurrent changes), the keys expire an hour
 * and a bit after the last viewer (never while there are viewers), and at
 * most `historyPages` pages keep history, the busiest.
 */

const EMPTY: PresenceContributions = { online: [], pages: [], rooms: [], held: [], typing: [] };
const NOTHING = new Proxy({}, { get: () => () => undefined });
const who = (clientId: string, activity: ActivityState = 'active'): LedgerMember => ({ clientId, userKey: `a:${clientId}`, userId: clientId, tokenName: null, activity });

describe('occupancy history in Redis', () => {
  let redis: RunningRedis;
  let raw: Redis;
  const stores: RedisPresenceStore[] = [];
  let run = 0;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  beforeEach(() => void run++);
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.stop()));
  });
  afterAll(async () => {
    raw.disconnect();
    await redis.dispose();
  });

  const prefix = () => `h${run}:`;
  const key = (name: string) => `${prefix()}f${DATA_FORMAT}:${name}`;

  async function start(historyPages?: number): Promise<RedisPresenceStore> {
    const store = new RedisPresenceStore({ connection: { url: redis.url }, prefix: prefix(), historyPages });
    stores.push(store);
    await store.start(() => EMPTY, NOTHING as never);
    return store;
  }

  it('keeps the exact cluster-wide peak of concurrent changes from two processes, bucketed by Redis time', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const [seconds] = await raw.time();
    // The two processes' changes travel on two connections, interleaved in Redis in any order.
    for (let i = 0; i < 120; i++) (i % 2 ? a : b).page('/hot', who(`c${i}`), 1, false);
    // A browser on both processes is one viewer.
    a.page('/hot', who('c0'), 1, false);
    await Promise.all([a.settled(), b.settled()]);
    for (let i = 0; i < 20; i++) (i % 2 ? a : b).page('/hot', who(`c${i}`), -1, false);
    await Promise.all([a.settled(), b.settled()]);
    const points = await b.history('/hot');
    expect(await a.history('/hot')).toEqual(expect.arrayContaining(points.slice(0, -1)));
    expect(Math.max(...points.map((p) => p.peak))).toBe(120);
    const last = points.at(-1)!;
    expect(last.t % HISTORY_INTERVAL_MS).toBe(0);
    expect(last.t).toBeGreaterThanOrEqual(Number(seconds) * 1000 - HISTORY_INTERVAL_MS);
    expect(last.peak).toBeGreaterThanOrEqual(101);
    expect(last.mean).toBeGreaterThan(0);
    expect(last.mean).toBeLessThanOrEqual(last.peak);
    expect(await a.history('/nobody')).toEqual([]);
  });

  it('keeps a page’s buckets without expiry while it has viewers, and an hour and a bit after its last one left', async () => {
    const store = await start();
    store.page('/p', who('x'), 1, false);
    await store.settled();
    expect(await raw.pttl(key('hs:/p'))).toBe(-1);
    expect(await raw.zscore(key('hist'), '/p')).toBe('1');
    store.page('/p', who('x'), -1, false);
    await store.settled();
    const ttl = await raw.pttl(key('hs:/p'));
    expect(ttl).toBeGreaterThan(HISTORY_KEPT_MS);
    expect(ttl).toBeLessThanOrEqual(HISTORY_KEPT_MS + HISTORY_INTERVAL_MS);
    expect(Number(await raw.zscore(key('hist'), '/p'))).toBeLessThan(0);
    // Its minute is still there.
    expect((await store.history('/p')).map((p) => p.peak)).toEqual([1]);
    // Viewers again: no expiry.
    store.page('/p', who('y'), 1, false);
    await store.settled();
    expect(await raw.pttl(key('hs:/p'))).toBe(-1);
  });

  it('keeps at most historyPages pages, the busiest: a busier page takes the least busy one’s place, a tie does not', async () => {
    const store = await start(2);
    for (const [page, clients] of [['/a', 3], ['/b', 2], ['/c', 2]] as const) {
      for (let i = 0; i < clients; i++) store.page(page, who(`${page}-${i}`), 1, false);
    }
    await store.settled();
    expect(await raw.zrange(key('hist'), 0, -1)).toEqual(['/b', '/a']);
    expect(await store.history('/c')).toEqual([]);
    store.page('/c', who('/c-2'), 1, false);
    await store.settled();
    expect((await raw.zrange(key('hist'), 0, -1)).sort()).toEqual(['/a', '/c']);
    expect(await raw.exists(key('hs:/b'))).toBe(0);
    expect(await store.history('/b')).toEqual([]);
    expect((await store.history('/c')).map((p) => p.peak)).toEqual([3]);
    // An empty page is the least busy of all.
    for (let i = 0; i < 3; i++) store.page('/a', who(`/a-${i}`), -1, false);
    store.page('/d', who('/d-0'), 1, false);
    await store.settled();
    expect((await raw.zrange(key('hist'), 0, -1)).sort()).toEqual(['/c', '/d']);
  });

  it('moves with viewers only: hidden and idle tabs are viewers, and activity changes or a second tab of a viewer change no bucket', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    a.page('/p', who('x', 'hidden'), 1, false);
    await a.settled();
    expect((await a.history('/p')).map((p) => p.peak)).toEqual([1]);
    const kept = await raw.hgetall(key('hs:/p'));
    a.activity(who('x', 'active'), 'hidden', ['/p'], [], 'test');
    b.page('/p', who('x', 'idle'), 1, false);
    await Promise.all([a.settled(), b.settled()]);
    b.activity(who('x', 'active'), 'idle', ['/p'], [], 'test');
    await b.settled();
    expect((await a.pageCounts(['/p']))[0]).toMatchObject({ viewers: 1, connections: 2, active: 1 });
    expect(await raw.hgetall(key('hs:/p'))).toEqual(kept);
    // A new viewer moves it.
    b.page('/p', who('y', 'idle'), 1, false);
    await b.settled();
    expect(await raw.hget(key('hs:/p'), 'v')).toBe('2');
  });
});

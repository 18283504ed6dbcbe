import { randomUUID } from 'node:crypto';
import { TOP_PAGES, type PageCounts, type Stats } from '@presently/protocol';
import type { PresenceCluster, PresenceContributions } from '@presently/presence-core';
import { Redis, type RedisOptions } from 'ioredis';
import { APPLY, COUNTS, HEARTBEAT, LEAVE, REAP, RESTORE, STATS } from './scripts';

export interface RedisPresenceStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix of every key and channel; processes sharing presence use the same one. */
  prefix?: string;
  /** This process's id in the cluster; a random one by default. */
  nodeId?: string;
  /** How often the heartbeat is refreshed and the other processes checked (ms). */
  heartbeatMs?: number;
  /** How long a heartbeat lives: a process silent for longer is taken for dead (ms). */
  heartbeatTtlMs?: number;
  /** Told about connection changes and failures (for logs). */
  log?: (level: 'info' | 'warn' | 'error', msg: string, details?: Record<string, unknown>) => void;
}

type Script = 'apply' | 'restore' | 'reap' | 'leave' | 'heartbeat' | 'counts' | 'stats';
type ScriptClient = Redis & Record<Script, (...args: (string | number)[]) => Promise<unknown>>;

const SCRIPTS: Record<Script, string> = {
  apply: APPLY,
  restore: RESTORE,
  reap: REAP,
  leave: LEAVE,
  heartbeat: HEARTBEAT,
  counts: COUNTS,
  stats: STATS,
};

/**
 * The cluster-wide figures of every Presently process, kept in Redis (see
 * `scripts.ts` for the keys). Each contribution change is one Lua script, so
 * one round trip, atomic across processes. Every process records its share
 * under its own node key and heartbeats; the others withdraw the share of a
 * process whose heartbeat lapsed, exactly once. When the link comes back, or
 * the store finds its share gone (Redis restarted), it rebuilds the share from
 * the live local registry in one script.
 *
 * Commands are never queued while Redis is unreachable: they fail at once, and
 * the rebuild on reconnection makes the figures exact again.
 *
 * @example
 * const store = new RedisPresenceStore({ url: 'redis://localhost:6379' });
 * const presence = new Presence(clock, sink, options, store);
 * await store.start(() => presence.contributions(), (page) => announce(page));
 */
export class RedisPresenceStore implements PresenceCluster {
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly client: ScriptClient;
  private readonly subscriber: Redis;
  private contributions: () => PresenceContributions = () => ({ online: [], pages: [] });
  private onChange: (page: string | null) => void = () => undefined;
  private last: Promise<unknown> = Promise.resolve();
  private restored = false;
  private restoring: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: RedisPresenceStoreOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = options.prefix ?? 'presently:';
    this.heartbeatMs = options.heartbeatMs ?? 3000;
    this.ttlMs = options.heartbeatTtlMs ?? 10_000;
    const redisOptions: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    };
    this.client = new Redis(options.url, redisOptions) as ScriptClient;
    for (const [name, lua] of Object.entries(SCRIPTS)) this.client.defineCommand(name, { numberOfKeys: 0, lua });
    this.subscriber = new Redis(options.url, { ...redisOptions, enableOfflineQueue: true });
    this.client.on('error', (error: Error) => this.log('warn', 'redis error', { error: error.message }));
    this.subscriber.on('error', () => undefined);
    this.client.on('close', () => {
      if (this.restored) this.log('warn', 'redis link lost');
      this.restored = false;
    });
    this.client.on('ready', () => void this.restore());
  }

  get ready(): boolean {
    return this.restored && this.client.status === 'ready';
  }

  async start(contributions: () => PresenceContributions, onChange: (page: string | null) => void): Promise<void> {
    this.contributions = contributions;
    this.onChange = onChange;
    this.subscriber.on('message', (_channel: string, message: string) => {
      this.onChange(message === 's' ? null : message.slice(1));
    });
    await this.subscriber.connect();
    await this.subscriber.subscribe(`${this.prefix}changes`);
    await this.client.connect();
    await this.restore();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.client.status === 'ready') await this.client.leave(this.prefix, this.nodeId);
    } catch {
      // The others will take the share back when the heartbeat lapses.
    }
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  online(clientId: string, delta: 1 | -1): void {
    this.apply('o', clientId, delta);
  }

  page(page: string, clientId: string, delta: 1 | -1): void {
    this.apply('p', clientId, delta, page);
  }

  async settled(): Promise<void> {
    await this.last.catch(() => undefined);
  }

  async pageCounts(pages: readonly string[]): Promise<PageCounts[]> {
    this.assertReady();
    const flat = (await this.client.counts(this.prefix, ...pages)) as number[];
    return pages.map((page, i) => ({ page, viewers: flat[2 * i], connections: flat[2 * i + 1] }));
  }

  async stats(): Promise<Stats> {
    this.assertReady();
    const flat = (await this.client.stats(this.prefix, TOP_PAGES)) as (string | number)[];
    const top: { page: string; viewers: number }[] = [];
    for (let i = 2; i < flat.length; i += 2) top.push({ page: String(flat[i]), viewers: Number(flat[i + 1]) });
    top.sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0));
    return { online: { connections: Number(flat[0]), visitors: Number(flat[1]) }, top: top.slice(0, TOP_PAGES) };
  }

  private assertReady(): void {
    if (!this.ready) throw new Error('the presence store is not ready');
  }

  private apply(kind: 'o' | 'p', clientId: string, delta: number, page?: string): void {
    // Until the share is rebuilt, changes are not applied: the rebuild reads them from the registry.
    if (!this.ready) return;
    const args: (string | number)[] = [this.prefix, this.nodeId, kind, clientId, delta];
    if (page !== undefined) args.push(page);
    this.last = this.client.apply(...args).then(
      (result) => {
        if (result === -1) void this.restore();
      },
      () => undefined,
    );
  }

  /** Rebuilds this process's share from the registry; one at a time. */
  private restore(): Promise<void> {
    if (this.stopped || this.client.status !== 'ready') return Promise.resolve();
    this.restoring ??= this.rebuild().finally(() => (this.restoring = null));
    return this.restoring;
  }

  private async rebuild(): Promise<void> {
    this.restored = false;
    const { online, pages } = this.contributions();
    const args: (string | number)[] = [this.prefix, this.nodeId, this.ttlMs];
    for (const [clientId, n] of online) args.push('o', clientId, n);
    for (const [page, clientId, n] of pages) args.push('p', clientId, n, page);
    try {
      // Sent before any later change, on the same connection: nothing reported after the snapshot is lost.
      const done = this.client.restore(...args);
      this.restored = true;
      this.last = done;
      await done;
      this.log('info', 'presence share restored', { node: this.nodeId, clients: online.length, pageEntries: pages.length });
    } catch (error) {
      this.restored = false;
      this.log('warn', 'presence share not restored', { error: String(error) });
    }
  }

  private async tick(): Promise<void> {
    if (this.client.status !== 'ready') return;
    try {
      const alive = await this.client.heartbeat(this.prefix, this.nodeId, this.ttlMs);
      if (alive === 0 || !this.restored) await this.restore();
      const nodes = await this.client.smembers(`${this.prefix}nodes`);
      for (const node of nodes) {
        if (node === this.nodeId) continue;
        if ((await this.client.exists(`${this.prefix}alive:${node}`)) === 0) {
          const reaped = await this.client.reap(this.prefix, node);
          if (reaped === 1) this.log('warn', 'process down: its presence was withdrawn', { node });
        }
      }
    } catch (error) {
      this.log('warn', 'heartbeat failed', { error: String(error) });
    }
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, msg, details);
  }
}

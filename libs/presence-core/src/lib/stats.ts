import { TOP_PAGES, type Stats } from '@presently/protocol';
import { isListening } from './activity';
import { Announced } from './announced';
import type { Clock } from './clock';
import { Coalescer } from './coalescer';
import type { Connection } from './connection';
import type { ViewersListener } from './pages';
import { TopPagesIndex } from './top-pages';
import type { StatsSink } from './types';

const STATS_KEY = 'stats';

/** Whether two stats are the same figures: online counts and top pages, in order. */
export function sameStats(a: Stats, b: Stats): boolean {
  if (a.online.connections !== b.online.connections || a.online.visitors !== b.online.visitors) return false;
  if (a.top.length !== b.top.length) return false;
  return a.top.every((entry, i) => entry.page === b.top[i].page && entry.viewers === b.top[i].viewers);
}

/**
 * The global stats: counted connections (held ones included), distinct
 * visitors, and the top pages by viewers. Each change costs O(1); the top
 * pages are brought up to date when read (see {@link TopPagesIndex}).
 *
 * While anyone watches, changes are announced as coalesced `stats`: at most
 * one per `intervalMs`, and only if they differ from the stats last sent or
 * a watcher was answered other stats since. Nothing is read while nobody
 * watches.
 */
export class GlobalStats implements ViewersListener {
  private connections = 0;
  /** clientId → counted connections of that client, live and held. */
  private readonly clients = new Map<string, number>();
  private readonly topPages = new TopPagesIndex();
  /** Null when nothing is announced (a cluster announces instead). */
  private readonly coalescer: Coalescer<string> | null;
  private watchers = 0;
  /**
   * What watchers hold. Made by the first watcher ever, with the stats it was
   * answered: nobody else held any.
   */
  private announced: Announced<Stats, Connection> | null = null;

  constructor(
    clock: Clock,
    intervalMs: number,
    private readonly sink: StatsSink | null,
  ) {
    this.coalescer = sink && new Coalescer(clock, intervalMs, () => this.send());
  }

  /** A counted connection of `clientId` began. */
  connected(clientId: string): void {
    this.connections++;
    this.clients.set(clientId, (this.clients.get(clientId) ?? 0) + 1);
    this.touch();
  }

  /** A counted connection of `clientId` ended. */
  disconnected(clientId: string): void {
    this.connections--;
    const refs = (this.clients.get(clientId) ?? 1) - 1;
    if (refs > 0) this.clients.set(clientId, refs);
    else this.clients.delete(clientId);
    this.touch();
  }

  viewersMoved(page: string, before: number, after: number): void {
    this.topPages.update(page, before, after);
    this.touch();
  }

  current(): Stats {
    return {
      online: { connections: this.connections, visitors: this.clients.size },
      top: this.topPages.top(TOP_PAGES),
    };
  }

  /** `conn` watches the stats from now on (again): answers them. */
  watch(conn: Connection): Stats {
    if (!conn.watchingStats) {
      conn.watchingStats = true;
      this.watchers++;
    }
    return this.statsFor(conn);
  }

  /**
   * The stats as an ack (or a catch-up) answers them to a watcher, which then
   * holds them (unless it is hidden: what it holds is kept apart).
   */
  statsFor(conn: Connection): Stats {
    const stats = this.current();
    if (this.coalescer && isListening(conn.activity)) (this.announced ??= new Announced(sameStats, stats)).acked(conn, stats);
    return stats;
  }

  /** What a watcher holds: the stats last sent or acked to it; undefined if nothing was ever sent. */
  lastSent(conn: Connection): Stats | undefined {
    return this.announced?.lastFor(conn);
  }

  /** `conn` stops listening (it went hidden): no `stats` is owed to it. */
  forget(conn: Connection): void {
    this.announced?.forget(conn);
  }

  unwatch(conn: Connection): void {
    if (!conn.watchingStats) return;
    conn.watchingStats = false;
    this.watchers--;
    this.announced?.forget(conn);
  }

  /** Counted connections (live and held), distinct clients among them, and pages with viewers. O(1). */
  sizes(): { connections: number; visitors: number; pages: number } {
    return { connections: this.connections, visitors: this.clients.size, pages: this.topPages.size };
  }

  /** [clientId, counted connections] for every client. */
  online(): [string, number][] {
    return [...this.clients];
  }

  dispose(): void {
    this.coalescer?.dispose();
  }

  private touch(): void {
    if (this.watchers > 0) this.coalescer?.touch(STATS_KEY);
  }

  private send(): boolean {
    if (this.watchers === 0 || !this.announced) return false;
    const stats = this.current();
    // Watchers answered other stats are still watching: unwatching forgets them.
    if (!this.announced.due(stats)) return false;
    this.sink?.stats(stats);
    return true;
  }
}

import type { ActivityState, PageCounts } from '@presently/protocol';
import { isActive, isListening } from './activity';
import { Announced } from './announced';
import type { Clock } from './clock';
import { Coalescer } from './coalescer';
import { ledgerMemberOf, type Connection } from './connection';
import type { Grace } from './grace';
import type { OccupancySink, PageCountSink, PresenceLedger } from './types';

type Tally = Pick<PageCounts, 'viewers' | 'connections' | 'active'>;

/** Whether two counts of one page are the same figure (the page itself is not compared). */
export function samePageCounts(a: Tally, b: Tally): boolean {
  return a.viewers === b.viewers && a.connections === b.connections && a.active === b.active;
}

/** What every subscriber of a page holds before its first `page:count`. */
const NO_COUNTS: Tally = Object.freeze({ viewers: 0, connections: 0, active: 0 });

interface PageEntry {
  /** clientId → connections of that client on the page. */
  readonly clients: Map<string, number>;
  /** clientId → its `active` connections on the page (clients with none are absent). */
  readonly active: Map<string, number>;
  connections: number;
  readonly announced: Announced<Tally, Connection>;
}

/** What `page:enter` acks. */
export type EnterAck = { ok: true } & PageCounts & { subscribe: boolean };

/** Told whenever a page's viewers move (the top pages follow them). */
export interface ViewersListener {
  viewersMoved(page: string, before: number, after: number): void;
}

/**
 * The pages: each page's viewers (distinct clients), connections and active
 * clients (with at least one `active` connection there), counted from the
 * counted connections on it, and its coalesced `page:count`. A page
 * has an entry while someone is on it, or until the count of its emptying
 * went out; absent means 0. Entering and leaving cost O(1).
 *
 * What a page's subscribers (connections on or watching it) hold is kept in
 * an {@link Announced}: an ack that answers counts other than the ones last
 * sent makes the next `page:count` owed to that subscriber, even if the
 * counts come back to the ones sent.
 */
export class Pages {
  private readonly entries = new Map<string, PageEntry>();
  /** Null when nothing is announced (a cluster announces instead). */
  private readonly coalescer: Coalescer<string> | null;
  private changes = 0;

  constructor(
    clock: Clock,
    intervalMs: number,
    private readonly sink: PageCountSink | null,
    private readonly viewers: ViewersListener,
    private readonly grace: Grace,
    private readonly ledger: PresenceLedger | null,
    /** Told when a page gets its first viewer and loses its last. */
    private readonly occupancy: OccupancySink | null = null,
  ) {
    this.coalescer = sink && new Coalescer(clock, intervalMs, (page) => this.send(page), (page) => this.dropIfIdle(page));
  }

  /**
   * `conn` enters `page`, or is on it already: answers the page's counts for
   * the ack, and whether `conn` must now hear of the page. A returning
   * connection takes a held one's place without moving any count; an
   * uncounted one is on the page without moving any either.
   */
  enter(conn: Connection, page: string): EnterAck {
    const entered = conn.pages.has(page);
    if (!entered) {
      conn.pages.add(page);
      const held = conn.counted ? this.grace.take(conn, 'p', page) : undefined;
      if (held) {
        // In the held connection's place: only its activity may differ.
        if (this.activityChanged(conn, held.activity, [page]).length > 0) this.ledger?.activity(ledgerMemberOf(conn), held.activity, [page], [], conn.id);
      } else if (conn.counted) {
        this.add(page, conn.identity.clientId, isActive(conn.activity));
        this.ledger?.page(page, ledgerMemberOf(conn), 1, false);
      }
    }
    const entry = this.entries.get(page);
    const ack = { ok: true as const, ...countsOf(page, entry), subscribe: !entered && !conn.watched.has(page) };
    // A hidden connection is owed nothing: what it holds is kept apart until it listens again.
    if (entry && isListening(conn.activity)) entry.announced.acked(conn, ack);
    return ack;
  }

  /** `conn` leaves `page` (idempotent): answers whether it no longer hears of the page. */
  leave(conn: Connection, page: string): boolean {
    if (!conn.pages.delete(page)) return false;
    if (conn.counted) this.subtract(conn, page);
    return !conn.watched.has(page);
  }

  /** `conn` ended: it leaves every page it is on. */
  leaveAll(conn: Connection): void {
    if (conn.counted) for (const page of conn.pages) this.subtract(conn, page);
    conn.pages.clear();
  }

  /** A held connection's place on `page` was taken in another process: it stops counting here, unreported. */
  release(held: Connection, page: string): void {
    if (held.pages.delete(page)) this.remove(page, held.identity.clientId, isActive(held.activity));
  }

  /**
   * `conn`'s activity changed from `from` (or it took the place of a held
   * connection whose activity was `from`) on `pages` (default: every page it
   * is on): each page's active clients follow. Answers the pages whose
   * counts moved, for the caller to report. O(pages).
   */
  activityChanged(conn: Connection, from: ActivityState, pages: Iterable<string> = conn.pages): string[] {
    const was = isActive(from);
    const moved: string[] = [];
    if (!conn.counted || was === isActive(conn.activity)) return moved;
    for (const page of pages) {
      const entry = this.entries.get(page);
      if (!entry) continue;
      countIn(entry.active, conn.identity.clientId, was ? -1 : 1);
      moved.push(page);
      this.changes++;
      this.coalescer?.touch(page);
    }
    return moved;
  }

  /** What `conn` holds of `page`: the counts last sent to it or acked to it. */
  lastSent(conn: Connection, page: string): PageCounts {
    const held = this.entries.get(page)?.announced.lastFor(conn) ?? NO_COUNTS;
    return { page, viewers: held.viewers, connections: held.connections, active: held.active };
  }

  /** `conn` stops listening (it went hidden): no announcement of its pages is owed to it. */
  forget(conn: Connection): void {
    for (const page of conn.pages) this.entries.get(page)?.announced.forget(conn);
    for (const page of conn.watched) this.entries.get(page)?.announced.forget(conn);
  }

  /**
   * `conn` watches `pages` too, unless that takes it past `max` watched pages
   * (null). Answers their counts, and the pages it did not hear of before.
   */
  watch(conn: Connection, pages: readonly string[], max: number): { counts: PageCounts[]; subscribe: string[] } | null {
    const unique = [...new Set(pages)];
    const added = unique.filter((page) => !conn.watched.has(page));
    if (conn.watched.size + added.length > max) return null;
    for (const page of added) conn.watched.add(page);
    return {
      counts: unique.map((page) => this.countsFor(conn, page)),
      subscribe: added.filter((page) => !conn.pages.has(page)),
    };
  }

  /** `conn` stops watching `pages`: answers those it no longer hears of. */
  unwatch(conn: Connection, pages: readonly string[]): string[] {
    const unsubscribe: string[] = [];
    for (const page of pages) {
      if (conn.watched.delete(page) && !conn.pages.has(page)) unsubscribe.push(page);
    }
    return unsubscribe;
  }

  counts(page: string): PageCounts {
    return countsOf(page, this.entries.get(page));
  }

  /** Changes of page counts so far. */
  get countChanges(): number {
    return this.changes;
  }

  /** Page entries kept, idle ones whose last count is still due included. */
  get size(): number {
    return this.entries.size;
  }

  /** [page, clientId, connections of the client on the page, the active ones], for every client on every page. */
  contributions(): [string, string, number, number][] {
    const tabs: [string, string, number, number][] = [];
    for (const [page, entry] of this.entries) {
      for (const [clientId, count] of entry.clients) tabs.push([page, clientId, count, entry.active.get(clientId) ?? 0]);
    }
    return tabs;
  }

  /** Stops the coalescer; every page with viewers is reported vacated (the registry ends). */
  dispose(): void {
    this.coalescer?.dispose();
    if (!this.occupancy) return;
    for (const [page, entry] of this.entries) if (entry.clients.size > 0) this.occupancy.pageVacated(page);
  }

  /**
   * A page's counts as an ack (or a catch-up) answers them to `subscriber`,
   * which then holds them (unless it is hidden: what it holds is kept apart).
   */
  countsFor(subscriber: Connection, page: string): PageCounts {
    const entry = this.entries.get(page);
    const counts = countsOf(page, entry);
    if (entry && this.coalescer && isListening(subscriber.activity)) entry.announced.acked(subscriber, counts);
    return counts;
  }

  /** A counted connection left `page`, or its grace ran out there (`conn.held`). */
  private subtract(conn: Connection, page: string): void {
    this.remove(page, conn.identity.clientId, isActive(conn.activity));
    this.ledger?.page(page, ledgerMemberOf(conn), -1, conn.held !== null);
  }

  private add(page: string, clientId: string, active: boolean): void {
    let entry = this.entries.get(page);
    if (!entry) {
      entry = { clients: new Map(), active: new Map(), connections: 0, announced: new Announced(samePageCounts, NO_COUNTS) };
      this.entries.set(page, entry);
    }
    const tabs = entry.clients.get(clientId) ?? 0;
    entry.clients.set(clientId, tabs + 1);
    entry.connections++;
    if (active) countIn(entry.active, clientId, 1);
    if (tabs === 0) {
      this.viewers.viewersMoved(page, entry.clients.size - 1, entry.clients.size);
      if (entry.clients.size === 1) this.occupancy?.pageOccupied(page);
    }
    this.changes++;
    this.coalescer?.touch(page);
  }

  private remove(page: string, clientId: string, active: boolean): void {
    const entry = this.entries.get(page);
    const tabs = entry?.clients.get(clientId);
    if (!entry || !tabs) return;
    entry.connections--;
    if (active) countIn(entry.active, clientId, -1);
    if (tabs > 1) {
      entry.clients.set(clientId, tabs - 1);
    } else {
      entry.clients.delete(clientId);
      this.viewers.viewersMoved(page, entry.clients.size + 1, entry.clients.size);
      if (entry.clients.size === 0) this.occupancy?.pageVacated(page);
    }
    this.changes++;
    if (this.coalescer) this.coalescer.touch(page);
    else this.dropIfIdle(page);
  }

  private send(page: string): boolean {
    const entry = this.entries.get(page);
    if (!entry) return false;
    const counts = countsOf(page, entry);
    if (!entry.announced.due(counts, (conn) => isSubscribed(conn, page))) return false;
    this.sink?.pageCount(counts);
    return true;
  }

  /** An empty page whose last count went out needs no entry: absent means 0, sent as 0. */
  private dropIfIdle(page: string): void {
    if (this.entries.get(page)?.connections === 0) this.entries.delete(page);
  }
}

/** A page's counts from its entry (none: all 0). */
function countsOf(page: string, entry: PageEntry | undefined): PageCounts {
  return entry ? { page, viewers: entry.clients.size, connections: entry.connections, active: entry.active.size } : { page, viewers: 0, connections: 0, active: 0 };
}

/** Whether `conn` still hears `page:count`s of `page`. */
function isSubscribed(conn: Connection, page: string): boolean {
  return !conn.held && isListening(conn.activity) && (conn.pages.has(page) || conn.watched.has(page));
}

/** Adds `delta` to `key`'s count in `counts`; a count of 0 leaves no entry. */
function countIn(counts: Map<string, number>, key: string, delta: 1 | -1): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

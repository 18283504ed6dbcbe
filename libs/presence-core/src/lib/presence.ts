import {
  ackError,
  DEFAULT_LIMITS,
  DEFAULT_NAME,
  DEFAULT_STATUS,
  ErrorCodes,
  TOP_PAGES,
  type AckError,
  type LeaveReason,
  type Member,
  type PageCounts,
  type Profile,
  type ProfileInput,
  type Stats,
} from '@presently/protocol';
import { checkRoomAccess } from './access';
import type { Clock, TimerHandle } from './clock';
import { Coalescer } from './coalescer';
import { TopPagesIndex } from './top-pages';
import type { ConnectOptions, Identity, LedgerMember, PresenceContributions, PresenceLedger, PresenceOptions, PresenceSink } from './types';

/** What an operation answers: its result, or the protocol error to ack with. */
export type Result<T extends object = object> = ({ ok: true } & T) | AckError;

/** One connection (a socket or a stream), live or held after its disconnect. */
interface Connection {
  readonly id: string;
  readonly identity: Identity;
  /** False for a crawler: it may enter and watch pages, but no figure counts it. */
  readonly counted: boolean;
  /** Rooms count users: one key per user, apart for anonymous visitors. */
  readonly userKey: string;
  /** What room access is checked against: the identity, until its token expires. */
  access: RoomAccess;
  readonly pages: Set<string>;
  readonly watched: Set<string>;
  readonly rooms: Set<string>;
  watchingStats: boolean;
  /** The grace timer while the connection is held after a disconnect. */
  held: TimerHandle | null;
}

interface PageEntry {
  /** clientId → connections of that client on the page. */
  readonly clients: Map<string, number>;
  connections: number;
  sentViewers: number;
  sentConnections: number;
  /**
   * Subscribers acked with counts other than the ones last sent: the next
   * announcement is owed to them even if the counts return to those.
   */
  owed: Set<Connection> | null;
}

interface RoomMember {
  readonly userId: string;
  profile: Profile;
  readonly since: number;
  readonly connections: Set<Connection>;
}

type Room = Map<string, RoomMember>;

/** A room above `rosterMax` members: counts instead of per-member events. */
interface LargeRoom {
  sentTotal: number;
  /** A join was acked a total other than `sentTotal`: the next count is sent even if it equals it. */
  owed: boolean;
}

type RoomAccess = Pick<Identity, 'authenticated' | 'roles'>;
const NO_CREDENTIALS: RoomAccess = { authenticated: false, roles: [] };

const STATS_KEY = 'stats';
/** A large room switches back once it has fewer than `rosterMax * SWITCH_BACK` members. */
const SWITCH_BACK = 0.9;

/** A room member's key: one per user, `u:<userId>`, or `a:<clientId>` for an anonymous visitor. */
export function userKeyOf(identity: Pick<Identity, 'authenticated' | 'userId' | 'clientId'>): string {
  return identity.authenticated ? `u:${identity.userId}` : `a:${identity.clientId}`;
}

/**
 * The in-memory presence registry: pages (distinct clients and connections),
 * rooms (members by user), the grace period that hides reloads, coalesced
 * count announcements and global stats.
 *
 * Every operation costs O(1) in the number of connections, pages and rooms,
 * apart from what it must return (a room's member list) and what the
 * connection itself holds (a disconnect walks that connection's pages and
 * rooms). Results are returned as values for the ack; what other
 * connections must hear goes to the {@link PresenceSink}.
 *
 * @example
 * const presence = new Presence(systemClock, sink, options);
 * presence.connect(socket.id, identity);
 * const ack = presence.enterPage(socket.id, '/blog/hello');
 */
export class Presence {
  private readonly connections = new Map<string, Connection>();
  /** Counted connections, live and held: `online.connections`. */
  private countedConnections = 0;
  /** clientId → counted connections of that client, live and held. */
  private readonly clientRefs = new Map<string, number>();
  /** clientId → its held connections, the candidates for a grace return. */
  private readonly heldByClient = new Map<string, Set<Connection>>();
  private heldCount = 0;
  private readonly pages = new Map<string, PageEntry>();
  private readonly rooms = new Map<string, Room>();
  private readonly largeRooms = new Map<string, LargeRoom>();
  private readonly roomCoalescer: Coalescer<string>;
  private readonly rosterMax: number;
  private readonly topPages = new TopPagesIndex();
  private readonly pageCoalescer: Coalescer<string>;
  private readonly statsCoalescer: Coalescer<string>;
  private statsWatchers = 0;
  private pageCountChanges = 0;
  private lastStats: Stats | null = null;
  /** Stats watchers acked with stats other than `lastStats`. */
  private readonly statsOwed = new Set<Connection>();
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly sink: PresenceSink,
    private readonly options: PresenceOptions,
    private readonly ledger: PresenceLedger | null = null,
  ) {
    this.pageCoalescer = new Coalescer(
      clock,
      options.countIntervalMs,
      (page) => this.sendPageCount(page),
      (page) => this.dropIdlePage(page),
    );
    this.statsCoalescer = new Coalescer(clock, options.statsIntervalMs, () => this.sendStats());
    this.roomCoalescer = new Coalescer(clock, options.countIntervalMs, (room) => this.sendRoomCount(room));
    this.rosterMax = options.rosterMax ?? DEFAULT_LIMITS.rosterMax;
  }

  // ---------------------------------------------------------------- connections

  /**
   * Registers a new connection: a socket, or a stream that then enters its
   * one page. It counts in `online` from now on, unless `counted` is false
   * (a crawler): such a connection is served like any other, it enters and
   * watches pages and hears their counts, but no figure ever includes it, it
   * joins no room, and nothing of it is held after its disconnect.
   */
  connect(id: string, identity: Identity, options: ConnectOptions = {}): void {
    if (this.connections.has(id)) return;
    const counted = options.counted ?? true;
    const userKey = userKeyOf(identity);
    this.connections.set(id, {
      id,
      identity,
      counted,
      userKey,
      access: identity,
      pages: new Set(),
      watched: new Set(),
      rooms: new Set(),
      watchingStats: false,
      held: null,
    });
    if (!counted) return;
    this.countedConnections++;
    this.clientRefs.set(identity.clientId, (this.clientRefs.get(identity.clientId) ?? 0) + 1);
    this.ledger?.online(identity.clientId, 1);
    this.touchStats();
  }

  /**
   * A connection went away without leaving. Its watches end now; its pages
   * and rooms are held for the grace period, so that the same client coming
   * back in time takes its place without any announcement.
   */
  disconnect(id: string): void {
    const conn = this.connections.get(id);
    if (!conn || conn.held || this.disposed) return;
    conn.watched.clear();
    this.setStatsWatching(conn, false);
    if (conn.counted && conn.pages.size + conn.rooms.size > 0 && this.options.graceMs > 0) {
      conn.held = this.clock.setTimer(this.options.graceMs, () => this.expire(conn));
      let held = this.heldByClient.get(conn.identity.clientId);
      if (!held) this.heldByClient.set(conn.identity.clientId, (held = new Set()));
      held.add(conn);
      this.heldCount++;
      if (this.ledger) {
        for (const page of conn.pages) this.ledger.hold('p', page, who(conn), 1);
        for (const room of conn.rooms) this.ledger.hold('r', room, who(conn), 1);
      }
    } else {
      this.expire(conn);
    }
  }

  // ---------------------------------------------------------------- pages

  enterPage(id: string, page: string): Result<PageCounts & { subscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const entered = conn.pages.has(page);
    if (!entered) {
      if (conn.pages.size >= this.options.maxPagesPerSocket) {
        return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxPagesPerSocket} pages per connection`);
      }
      conn.pages.add(page);
      // An uncounted connection is on the page without moving any count.
      if (conn.counted) this.countOnPage(conn, page);
    }
    return { ok: true, ...this.countsForSubscriber(conn, page), subscribe: !entered && !conn.watched.has(page) };
  }

  /** Idempotent: leaving a page the connection is not on changes nothing. */
  leavePage(id: string, page: string): Result<{ unsubscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.pages.delete(page)) return { ok: true, unsubscribe: false };
    if (conn.counted) {
      this.removeFromPage(page, conn.identity.clientId);
      this.ledger?.page(page, who(conn), -1, false);
    }
    return { ok: true, unsubscribe: !conn.watched.has(page) };
  }

  /** Subscribes to counts without being counted. */
  watchPages(id: string, pages: readonly string[]): Result<{ counts: PageCounts[]; subscribe: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const unique = [...new Set(pages)];
    const added = unique.filter((page) => !conn.watched.has(page));
    if (conn.watched.size + added.length > this.options.maxWatchedPerSocket) {
      return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxWatchedPerSocket} watched pages per connection`);
    }
    for (const page of added) conn.watched.add(page);
    return {
      ok: true,
      counts: unique.map((page) => this.countsForSubscriber(conn, page)),
      subscribe: added.filter((page) => !conn.pages.has(page)),
    };
  }

  unwatchPages(id: string, pages: readonly string[]): Result<{ unsubscribe: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const unsubscribe: string[] = [];
    for (const page of pages) {
      if (conn.watched.delete(page) && !conn.pages.has(page)) unsubscribe.push(page);
    }
    return { ok: true, unsubscribe };
  }

  /** A page's counts. O(1). */
  pageCounts(page: string): PageCounts {
    const entry = this.pages.get(page);
    return entry
      ? { page, viewers: entry.clients.size, connections: entry.connections }
      : { page, viewers: 0, connections: 0 };
  }

  // ---------------------------------------------------------------- rooms

  /**
   * Joins a room. The user's first connection announces `room:joined`; a
   * further one, or the same one again, applies the profile as an update.
   * Above `rosterMax` members the room is large: joins, leaves and profile
   * changes are announced as a coalesced `room:count` instead, and the ack
   * lists the earliest `rosterMax` members (always with the `total`).
   */
  joinRoom(
    id: string,
    room: string,
    input?: ProfileInput,
  ): Result<{ room: string; self: Member; members: Member[]; total: number; subscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.counted) return ackError(ErrorCodes.Forbidden, 'crawlers do not join rooms');
    const denied = checkRoomAccess(room, conn.access);
    if (denied) return { ok: false, error: denied };
    const joined = conn.rooms.has(room);
    if (!joined && conn.rooms.size >= this.options.maxRoomsPerSocket) {
      return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxRoomsPerSocket} rooms per connection`);
    }
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    let member = members.get(conn.userKey);
    if (!member) {
      member = {
        userId: conn.identity.userId,
        profile: resolveProfile(null, input, conn.identity),
        since: this.clock.now(),
        connections: new Set([conn]),
      };
      members.set(conn.userKey, member);
      conn.rooms.add(room);
      this.ledger?.room(room, who(conn), 1, { input, origin: conn.id, now: member.since });
      if (members.size > this.rosterMax || this.largeRooms.has(room)) this.touchLargeRoom(room);
      else this.sink.roomJoined(room, toMember(member), conn.id);
    } else {
      let delta: 0 | 1 = 0;
      if (!joined) {
        const current = member;
        const held = this.findHeld(conn, (h) => current.connections.has(h));
        member.connections.add(conn);
        conn.rooms.add(room);
        if (held) {
          member.connections.delete(held);
          held.rooms.delete(room);
          this.ledger?.hold('r', room, who(held), -1);
          this.releaseIfEmpty(held);
        } else {
          delta = 1;
        }
      }
      this.ledger?.room(room, who(conn), delta, { input, origin: conn.id, now: this.clock.now() });
      this.applyProfile(room, member, input, conn);
    }
    const roster = this.roster(room);
    const large = this.largeRooms.get(room);
    if (large && large.sentTotal !== roster.total) large.owed = true;
    return { ok: true, room, self: toMember(member), ...roster, subscribe: !joined };
  }

  /** Idempotent: leaving a room the connection is not in changes nothing. */
  leaveRoom(id: string, room: string): Result<{ room: string; unsubscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.rooms.has(room)) return { ok: true, room, unsubscribe: false };
    this.removeFromRoom(conn, room, 'leave', conn.id);
    return { ok: true, room, unsubscribe: true };
  }

  /** Changes the user's profile in a room it has joined; announced only if it changed. */
  updateProfile(id: string, room: string, input: ProfileInput): Result<{ room: string; self: Member }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const member = conn.rooms.has(room) ? this.rooms.get(room)?.get(conn.userKey) : undefined;
    if (!member) return ackError(ErrorCodes.BadRequest, 'join the room before updating your profile in it');
    this.ledger?.room(room, who(conn), 0, { input, origin: conn.id, now: this.clock.now() });
    this.applyProfile(room, member, input, conn);
    return { ok: true, room, self: toMember(member) };
  }

  /** A room's members in the order they first joined; empty for an unknown room. O(members). */
  members(room: string): Member[] {
    const members = this.rooms.get(room);
    return members ? Array.from(members.values(), toMember) : [];
  }

  /**
   * What a join ack and the HTTP view show: at most `rosterMax` members,
   * earliest first, and the room's `total`. O(min(members, rosterMax)).
   */
  roster(room: string): { members: Member[]; total: number } {
    const members = this.rooms.get(room);
    if (!members) return { members: [], total: 0 };
    const listed: Member[] = [];
    for (const member of members.values()) {
      if (listed.length >= this.rosterMax) break;
      listed.push(toMember(member));
    }
    return { members: listed, total: members.size };
  }

  /** Whether a room is above `rosterMax` and announces counts instead of members. */
  isLarge(room: string): boolean {
    return this.largeRooms.has(room);
  }

  /**
   * The connection's token expired: from now on room access treats it as
   * anonymous. It leaves at once every room it may no longer join (its other
   * members hear `room:left` with reason `leave`, unless another connection
   * of the user stays); its pages, public rooms and identity are unchanged.
   * Answers the rooms it left. O(rooms of the connection).
   */
  revokeCredentials(id: string): Result<{ rooms: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    conn.access = NO_CREDENTIALS;
    const rooms = [...conn.rooms].filter((room) => checkRoomAccess(room, NO_CREDENTIALS) !== null);
    for (const room of rooms) this.removeFromRoom(conn, room, 'leave', conn.id);
    return { ok: true, rooms };
  }

  // ---------------------------------------------------------------- stats

  watchStats(id: string): Result<Stats> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    this.setStatsWatching(conn, true);
    const stats = this.stats();
    if (!this.lastStats) this.lastStats = stats;
    else if (!sameStats(this.lastStats, stats)) this.statsOwed.add(conn);
    else this.statsOwed.delete(conn);
    return { ok: true, ...stats };
  }

  unwatchStats(id: string): Result {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    this.setStatsWatching(conn, false);
    return { ok: true };
  }

  /** Connections (held ones included), distinct clients and the top pages. */
  stats(): Stats {
    return {
      online: { connections: this.countedConnections, visitors: this.clientRefs.size },
      top: this.topPages.top(TOP_PAGES),
    };
  }

  /** Changes of page counts so far; fewer `page:count`s go out, thanks to coalescing. */
  countChanges(): number {
    return this.pageCountChanges;
  }

  /** Sizes for metrics and health checks. */
  sizes(): { connections: number; visitors: number; pages: number; rooms: number; held: number } {
    return {
      connections: this.countedConnections,
      visitors: this.clientRefs.size,
      pages: this.topPages.size,
      rooms: this.rooms.size,
      held: this.heldCount,
    };
  }

  /**
   * What this registry contributes to the figures right now (counted
   * connections, live and held, and their pages), for a cluster store to
   * rebuild its share after losing it. O(clients + page entries).
   */
  contributions(): PresenceContributions {
    const pages: [string, string, number][] = [];
    for (const [page, entry] of this.pages) {
      for (const [clientId, tabs] of entry.clients) pages.push([page, clientId, tabs]);
    }
    const rooms: PresenceContributions['rooms'] = [];
    for (const [room, members] of this.rooms) {
      for (const [userKey, member] of members) rooms.push({ room, userKey, member: toMember(member) });
    }
    const held: PresenceContributions['held'] = [];
    for (const [clientId, conns] of this.heldByClient) {
      for (const conn of conns) {
        for (const page of conn.pages) held.push({ kind: 'p', key: page, clientId, userKey: conn.userKey });
        for (const room of conn.rooms) held.push({ kind: 'r', key: room, clientId, userKey: conn.userKey });
      }
    }
    return { online: [...this.clientRefs], pages, rooms, held };
  }

  /**
   * A connection returning to another process took the place of a held one
   * of this registry on `key` (a page, `p`, or a room, `r`): the held
   * contribution ends here without any count moving or any announcement,
   * as it moved to the other process. Nothing happens if it already expired.
   */
  takeOver(kind: 'p' | 'r', key: string, clientId: string, userKey: string): void {
    const candidates = this.heldByClient.get(clientId);
    if (!candidates) return;
    for (const held of candidates) {
      if (held.userKey !== userKey) continue;
      if (kind === 'p' && held.pages.delete(key)) {
        this.removeFromPage(key, clientId);
      } else if (kind === 'r' && held.rooms.delete(key)) {
        this.detachFromRoom(held, key);
      } else {
        continue;
      }
      this.releaseIfEmpty(held);
      return;
    }
  }

  /** Stops every timer; the registry sends nothing more and holds no one. */
  dispose(): void {
    this.disposed = true;
    this.pageCoalescer.dispose();
    this.statsCoalescer.dispose();
    this.roomCoalescer.dispose();
    for (const held of this.heldByClient.values()) {
      for (const conn of held) if (conn.held) this.clock.clearTimer(conn.held);
    }
    this.heldByClient.clear();
    this.heldCount = 0;
  }

  // ---------------------------------------------------------------- internals

  private live(id: string): Connection | undefined {
    const conn = this.connections.get(id);
    return conn && !conn.held ? conn : undefined;
  }

  /** A held connection of the same client and user that `match` accepts. */
  private findHeld(conn: Connection, match: (held: Connection) => boolean): Connection | undefined {
    const held = this.heldByClient.get(conn.identity.clientId);
    if (!held) return undefined;
    for (const candidate of held) {
      if (candidate.userKey === conn.userKey && match(candidate)) return candidate;
    }
    return undefined;
  }

  /** Counts a connection that entered `page`, in a held one's place if its client left one there. */
  private countOnPage(conn: Connection, page: string): void {
    const held = this.findHeld(conn, (h) => h.pages.has(page));
    if (held) {
      // The returning client takes the held connection's place: no count moves.
      held.pages.delete(page);
      this.ledger?.hold('p', page, who(held), -1);
      this.releaseIfEmpty(held);
    } else {
      this.addToPage(page, conn.identity.clientId);
      this.ledger?.page(page, who(conn), 1, false);
    }
  }

  private releaseIfEmpty(held: Connection): void {
    if (held.pages.size + held.rooms.size > 0) return;
    if (held.held) this.clock.clearTimer(held.held);
    this.forget(held);
  }

  /** Ends a connection's presence everywhere (grace ran out, or none applies). */
  private expire(conn: Connection): void {
    if (conn.counted) {
      for (const page of conn.pages) {
        this.removeFromPage(page, conn.identity.clientId);
        this.ledger?.page(page, who(conn), -1, conn.held !== null);
      }
    }
    conn.pages.clear();
    for (const room of [...conn.rooms]) this.removeFromRoom(conn, room, 'disconnect', null);
    this.forget(conn);
  }

  private forget(conn: Connection): void {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    if (!conn.counted) return;
    this.countedConnections--;
    const clientId = conn.identity.clientId;
    const held = this.heldByClient.get(clientId);
    if (held?.delete(conn)) {
      this.heldCount--;
      if (held.size === 0) this.heldByClient.delete(clientId);
    }
    const refs = (this.clientRefs.get(clientId) ?? 1) - 1;
    if (refs > 0) this.clientRefs.set(clientId, refs);
    else this.clientRefs.delete(clientId);
    this.ledger?.online(clientId, -1);
    this.touchStats();
  }

  private addToPage(page: string, clientId: string): void {
    let entry = this.pages.get(page);
    if (!entry) {
      entry = { clients: new Map(), connections: 0, sentViewers: 0, sentConnections: 0, owed: null };
      this.pages.set(page, entry);
    }
    const tabs = entry.clients.get(clientId) ?? 0;
    entry.clients.set(clientId, tabs + 1);
    entry.connections++;
    if (tabs === 0) {
      this.topPages.update(page, entry.clients.size - 1, entry.clients.size);
      this.touchStats();
    }
    this.pageCountChanges++;
    this.pageCoalescer.touch(page);
  }

  private removeFromPage(page: string, clientId: string): void {
    const entry = this.pages.get(page);
    const tabs = entry?.clients.get(clientId);
    if (!entry || !tabs) return;
    entry.connections--;
    if (tabs > 1) {
      entry.clients.set(clientId, tabs - 1);
    } else {
      entry.clients.delete(clientId);
      this.topPages.update(page, entry.clients.size + 1, entry.clients.size);
      this.touchStats();
    }
    this.pageCountChanges++;
    this.pageCoalescer.touch(page);
  }

  /**
   * A page's counts as acked to a subscriber. When they differ from what the
   * page's subscribers were last sent (a change is queued), the next
   * announcement is owed to this subscriber even if the counts return to
   * that value; otherwise it would be left with the acked value.
   */
  private countsForSubscriber(conn: Connection, page: string): PageCounts {
    const counts = this.pageCounts(page);
    const entry = this.pages.get(page);
    if (!entry) return counts;
    if (entry.sentViewers !== counts.viewers || entry.sentConnections !== counts.connections) {
      (entry.owed ??= new Set()).add(conn);
    } else {
      entry.owed?.delete(conn);
    }
    return counts;
  }

  private sendPageCount(page: string): boolean {
    const entry = this.pages.get(page);
    if (!entry) return false;
    const viewers = entry.clients.size;
    const owed = entry.owed;
    entry.owed = null;
    if (viewers === entry.sentViewers && entry.connections === entry.sentConnections) {
      if (!owed || !someStillSubscribed(owed, page)) return false;
    }
    entry.sentViewers = viewers;
    entry.sentConnections = entry.connections;
    this.sink.pageCount({ page, viewers, connections: entry.connections });
    return true;
  }

  /** An empty page whose last count went out needs no entry: absent means 0, sent as 0. */
  private dropIdlePage(page: string): void {
    if (this.pages.get(page)?.connections === 0) this.pages.delete(page);
  }

  private removeFromRoom(conn: Connection, room: string, reason: LeaveReason, except: string | null): void {
    conn.rooms.delete(room);
    if (!this.rooms.get(room)?.has(conn.userKey)) return;
    this.ledger?.room(room, who(conn), -1, { reason, origin: except, held: conn.held !== null, now: this.clock.now() });
    const member = this.detachFromRoom(conn, room);
    if (!member) return;
    const members = this.rooms.get(room)?.size ?? 0;
    if (!this.largeRooms.has(room)) return this.sink.roomLeft(room, member.userId, reason, except);
    if (members >= this.rosterMax * SWITCH_BACK) return this.touchLargeRoom(room);
    // Back below the line (with hysteresis): one snapshot instead of this leave.
    this.largeRooms.delete(room);
    if (members > 0) this.sink.roomSync(room, this.members(room));
  }

  /**
   * Takes a connection off its member in a room, and the member off the room
   * (the room off the registry) when that was its last. Answers the member
   * if it is gone; announces nothing.
   */
  private detachFromRoom(conn: Connection, room: string): RoomMember | undefined {
    const members = this.rooms.get(room);
    const member = members?.get(conn.userKey);
    if (!members || !member) return undefined;
    member.connections.delete(conn);
    if (member.connections.size > 0) return undefined;
    members.delete(conn.userKey);
    if (members.size === 0) this.rooms.delete(room);
    return member;
  }

  /** A large room's membership changed: a coalesced `room:count` is due. */
  private touchLargeRoom(room: string): void {
    if (!this.largeRooms.has(room)) this.largeRooms.set(room, { sentTotal: -1, owed: false });
    this.roomCoalescer.touch(room);
  }

  private sendRoomCount(room: string): boolean {
    const large = this.largeRooms.get(room);
    if (!large) return false;
    const total = this.rooms.get(room)?.size ?? 0;
    if (total === large.sentTotal && !large.owed) return false;
    large.sentTotal = total;
    large.owed = false;
    this.sink.roomCount(room, total);
    return true;
  }

  private applyProfile(room: string, member: RoomMember, input: ProfileInput | undefined, conn: Connection): void {
    const next = resolveProfile(member.profile, input, conn.identity);
    if (sameProfile(member.profile, next)) return;
    member.profile = next;
    // Profile changes in a large room are kept, not announced.
    if (!this.largeRooms.has(room)) this.sink.roomUpdated(room, toMember(member), conn.id);
  }

  private setStatsWatching(conn: Connection, watching: boolean): void {
    if (conn.watchingStats === watching) return;
    conn.watchingStats = watching;
    this.statsWatchers += watching ? 1 : -1;
    if (!watching) this.statsOwed.delete(conn);
  }

  private touchStats(): void {
    if (this.statsWatchers > 0) this.statsCoalescer.touch(STATS_KEY);
  }

  private sendStats(): boolean {
    if (this.statsWatchers === 0) return false;
    const stats = this.stats();
    // Owed watchers are still watching: unwatching or disconnecting removes them.
    const owed = this.statsOwed.size > 0;
    this.statsOwed.clear();
    if (this.lastStats && sameStats(this.lastStats, stats) && !owed) return false;
    this.lastStats = stats;
    this.sink.stats(stats);
    return true;
  }
}

function someStillSubscribed(connections: Set<Connection>, page: string): boolean {
  for (const conn of connections) {
    if (!conn.held && (conn.pages.has(page) || conn.watched.has(page))) return true;
  }
  return false;
}

function who(conn: Connection): LedgerMember {
  return {
    clientId: conn.identity.clientId,
    userKey: conn.userKey,
    userId: conn.identity.userId,
    tokenName: conn.identity.authenticated ? (conn.identity.name ?? conn.identity.userId) : null,
  };
}

function unknownConnection(): AckError {
  return ackError(ErrorCodes.BadRequest, 'unknown connection');
}

/** An authenticated user's name always comes from its token. */
function resolveProfile(current: Profile | null, input: ProfileInput | undefined, identity: Identity): Profile {
  return {
    name: identity.authenticated
      ? (identity.name ?? identity.userId)
      : (input?.name ?? current?.name ?? DEFAULT_NAME),
    status: input?.status ?? current?.status ?? DEFAULT_STATUS,
    meta: input?.meta ?? current?.meta ?? {},
  };
}

function sameProfile(a: Profile, b: Profile): boolean {
  return a.name === b.name && a.status === b.status && (a.meta === b.meta || JSON.stringify(a.meta) === JSON.stringify(b.meta));
}

function sameStats(a: Stats, b: Stats): boolean {
  if (a.online.connections !== b.online.connections || a.online.visitors !== b.online.visitors) return false;
  if (a.top.length !== b.top.length) return false;
  return a.top.every((entry, i) => entry.page === b.top[i].page && entry.viewers === b.top[i].viewers);
}

function toMember(member: RoomMember): Member {
  return {
    userId: member.userId,
    name: member.profile.name,
    status: member.profile.status,
    meta: member.profile.meta,
    connections: member.connections.size,
    since: member.since,
  };
}

import {
  ackError,
  DEFAULT_HISTORY_PAGES,
  DEFAULT_LIMITS,
  DEFAULT_RECENT_MS,
  DEFAULT_TYPING_MS,
  ErrorCodes,
  type AckError,
  type ActivityState,
  type HistoryPoint,
  type Member,
  type PageCounts,
  type ProfileInput,
  type RecentLeaver,
  type Stats,
} from '@presently/protocol';
import { checkRoomAccess } from './access';
import { isListening } from './activity';
import { AddressBudget } from './address-budget';
import type { Clock } from './clock';
import { noteCost } from './accounted-keys';
import { createConnection, ledgerMemberOf, NO_CREDENTIALS, userKeyOf, type Connection } from './connection';
import { Grace } from './grace';
import { OccupancyHistory } from './history/occupancy-history';
import { Pages, type ViewersListener } from './pages';
import { Rooms } from './rooms';
import { resolveProfile, switchedProfile, type ResolvedProfile } from './profile';
import { RecentLeavers } from './recent-leavers';
import { keyCost, profileCost } from './state-cost';
import { GlobalStats } from './stats';
import { Typing } from './typing';
import type { ConnectOptions, CurrentFigures, Followed, Identity, LastSent, OccupancySink, PresenceContributions, PresenceLedger, PresenceOptions, PresenceSink } from './types';

export { userKeyOf } from './connection';

/** What an operation answers: its result, or the protocol error to ack with. */
export type Result<T extends object = object> = ({ ok: true } & T) | AckError;

/**
 * The in-memory presence registry. It owns the connections, checks what
 * each asks for (live, allowed, within its limits) and hands the rest to one
 * part per concept: {@link Pages}, {@link Rooms}, {@link Grace} (the held
 * connections that hide reloads), {@link Typing}, {@link RecentLeavers} and
 * {@link GlobalStats}. Each part reports its contributions to the
 * {@link PresenceLedger}, if any.
 *
 * What each connection makes the server hold is charged to its client
 * address in an {@link AddressBudget}: an event that would take its address
 * past `maxBytesPerAddress` is refused with `LIMIT_EXCEEDED` and changes
 * nothing; leaving, unwatching, a smaller profile, a disconnect and the end
 * of a grace period give the bytes back.
 *
 * Every operation costs O(1) in the number of connections, pages and rooms,
 * apart from what it must return (a room's member list) and what the
 * connection itself holds (a disconnect walks its pages and rooms). Results
 * are returned as values for the ack; what other connections must hear goes
 * to the {@link PresenceSink}. Without a sink (`null`: a cluster announces
 * the figures of every process instead) nothing is announced, coalesced or
 * owed, no recent leaver is kept (the cluster keeps them), and no timer runs
 * but the grace period's and the typing deadlines'.
 *
 * Each change of who is present (a page's first viewer and its last, a
 * room's first member and its last, each member's arrival and departure)
 * goes to the {@link OccupancySink}, if any, as it happens: in one process;
 * with a cluster its store decides them for every process together.
 *
 * @example
 * const presence = new Presence(systemClock, sink, options);
 * presence.connect(socket.id, identity);
 * const ack = presence.enterPage(socket.id, '/blog/hello');
 */
export class Presence {
  private readonly connections = new Map<string, Connection>();
  private readonly globalStats: GlobalStats;
  private readonly pages: Pages;
  private readonly grace: Grace;
  private readonly rooms: Rooms;
  private readonly typing: Typing;
  private readonly recent: RecentLeavers | null;
  /** Null in a cluster (Redis keeps the history of every process's viewers). */
  private readonly history: OccupancyHistory | null;
  private readonly budget: AddressBudget;
  private disposed = false;

  constructor(
    clock: Clock,
    sink: PresenceSink | null,
    private readonly options: PresenceOptions,
    private readonly ledger: PresenceLedger | null = null,
    occupancy: OccupancySink | null = null,
  ) {
    this.budget = new AddressBudget(options.maxBytesPerAddress ?? 0);
    this.globalStats = new GlobalStats(clock, options.statsIntervalMs, sink);
    this.grace = new Grace(clock, options.graceMs, ledger, (conn) => this.end(conn));
    this.history = sink ? new OccupancyHistory(clock, options.historyPages ?? DEFAULT_HISTORY_PAGES) : null;
    this.pages = new Pages(clock, options.countIntervalMs, sink, viewersListeners(this.globalStats, this.history), this.grace, ledger, occupancy);
    const rosterMax = options.rosterMax ?? DEFAULT_LIMITS.rosterMax;
    this.typing = new Typing(clock, options.typingMs ?? DEFAULT_TYPING_MS, sink, ledger, (room) => this.rooms.isLarge(room));
    this.recent = sink ? new RecentLeavers(clock, options.recentMs ?? DEFAULT_RECENT_MS) : null;
    this.rooms = new Rooms(clock, sink, { countIntervalMs: options.countIntervalMs, rosterMax }, this.grace, ledger, this.typing, this.recent, occupancy);
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
    const conn = createConnection(id, identity, options.counted ?? true, this.budget.account(options.address ?? ''));
    this.connections.set(id, conn);
    if (!conn.counted) return;
    this.globalStats.connected(identity.clientId);
    this.ledger?.online(identity.clientId, 1);
  }

  /**
   * A connection went away without leaving. Its watches and its typing end
   * now; its pages and rooms are held for the grace period, so that the same
   * client coming back in time takes its place without any announcement.
   */
  disconnect(id: string): void {
    const conn = this.connections.get(id);
    if (!conn || conn.held || this.disposed) return;
    this.typing.stopAll(conn);
    conn.watched.clear();
    this.globalStats.unwatch(conn);
    if (!this.grace.hold(conn)) this.end(conn);
  }

  // ---------------------------------------------------------------- pages

  enterPage(id: string, page: string): Result<PageCounts & { subscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.pages.has(page) && conn.pages.size >= this.options.maxPagesPerSocket) {
      return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxPagesPerSocket} pages per connection`);
    }
    if (!conn.pages.has(page) && !this.fits(conn, keyCost(page))) return this.overBudget();
    return this.pages.enter(conn, page);
  }

  /** Idempotent: leaving a page the connection is not on changes nothing. */
  leavePage(id: string, page: string): Result<{ unsubscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    return { ok: true, unsubscribe: this.pages.leave(conn, page) };
  }

  /** Subscribes to counts without being counted. */
  watchPages(id: string, pages: readonly string[]): Result<{ counts: PageCounts[]; subscribe: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    let added = 0;
    for (const page of new Set(pages)) if (!conn.watched.has(page)) added += keyCost(page);
    if (!this.fits(conn, added)) return this.overBudget();
    const watched = this.pages.watch(conn, pages, this.options.maxWatchedPerSocket);
    if (!watched) return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxWatchedPerSocket} watched pages per connection`);
    return { ok: true, ...watched };
  }

  unwatchPages(id: string, pages: readonly string[]): Result<{ unsubscribe: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    return { ok: true, unsubscribe: this.pages.unwatch(conn, pages) };
  }

  /** A page's counts. O(1). */
  /** Whether live connection `id` entered `page` (it then hears the page at the page's own rate). O(1). */
  isOn(id: string, page: string): boolean {
    return this.live(id)?.pages.has(page) ?? false;
  }

  pageCounts(page: string): PageCounts {
    return this.pages.counts(page);
  }

  /** A page's occupancy over the last hour, a point per minute with viewers (none in a cluster: Redis keeps it). */
  pageHistory(page: string): HistoryPoint[] {
    return this.history?.points(page) ?? [];
  }

  // ---------------------------------------------------------------- rooms

  /**
   * Joins a room. The user's first connection announces `room:joined`; a
   * further one, or the same one again, applies the profile as an update.
   * Above `rosterMax` members the room is large: joins, leaves and profile
   * changes are announced as a coalesced `room:count` instead. Answers the
   * member and the room's `total`; the members a join ack lists are
   * {@link roster}'s (read apart: with a cluster they come from it). O(1).
   */
  joinRoom(id: string, room: string, input?: ProfileInput): Result<{ room: string; self: Member; total: number; subscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.counted) return ackError(ErrorCodes.Forbidden, 'crawlers do not join rooms');
    const denied = checkRoomAccess(room, conn.access);
    if (denied) return { ok: false, error: denied };
    const joined = conn.rooms.has(room);
    if (!joined && conn.rooms.size >= this.options.maxRoomsPerSocket) {
      return ackError(ErrorCodes.LimitExceeded, `at most ${this.options.maxRoomsPerSocket} rooms per connection`);
    }
    const next = this.resolve(conn, room, input);
    if (!this.fits(conn, this.roomCost(conn, room, next, input))) return this.overBudget();
    const self = this.rooms.join(conn, room, input, next);
    return { ok: true, room, self, total: this.rooms.total(room), subscribe: !joined };
  }

  /** Idempotent: leaving a room the connection is not in changes nothing. */
  leaveRoom(id: string, room: string): Result<{ room: string; unsubscribe: boolean }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.rooms.has(room)) return { ok: true, room, unsubscribe: false };
    this.rooms.leave(conn, room, 'leave', conn.id);
    return { ok: true, room, unsubscribe: true };
  }

  /** Changes the user's profile in a room it has joined; announced only if it changed. */
  updateProfile(id: string, room: string, input: ProfileInput): Result<{ room: string; self: Member }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.rooms.has(room)) return ackError(ErrorCodes.BadRequest, 'join the room before updating your profile in it');
    const next = this.resolve(conn, room, input);
    if (!this.fits(conn, this.roomCost(conn, room, next, input))) return this.overBudget();
    const self = this.rooms.update(conn, room, input, next);
    if (!self) return ackError(ErrorCodes.BadRequest, 'join the room before updating your profile in it');
    return { ok: true, room, self };
  }

  /** A room's members in the order they first joined; empty for an unknown room. O(members). */
  members(room: string): Member[] {
    return this.rooms.members(room);
  }

  /** The member of `userKey` (see {@link userKeyOf}) in `room`, or null. O(1). */
  member(room: string, userKey: string): Member | null {
    return this.rooms.member(room, userKey);
  }

  /** How many members `room` has. O(1). */
  roomTotal(room: string): number {
    return this.rooms.total(room);
  }

  /** Whether `room` is large: its members are announced as a count (above `rosterMax`, until below 90 % of it). O(1). */
  isLarge(room: string): boolean {
    return this.rooms.isLarge(room);
  }

  /** A number that moves whenever `room`'s members change, so that what is computed from its list can be kept until then. O(1). */
  roomVersion(room: string): number {
    return this.rooms.versionOf(room);
  }

  /**
   * What a join ack and the HTTP view show: at most `rosterMax` members,
   * earliest first, and the room's `total`. O(min(members, rosterMax)).
   */
  roster(room: string): { members: Member[]; total: number } {
    return this.rooms.roster(room);
  }

  /**
   * The connection types in `room` (`true`: until `typingMs` from now, unless
   * it says so again) or no longer (`false`). Its member starting or
   * stopping is announced to the room's other connections; a renewal is not.
   * `BAD_REQUEST` for a room it has not joined. O(1).
   */
  setTyping(id: string, room: string, typing: boolean): Result {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (!conn.rooms.has(room)) return ackError(ErrorCodes.BadRequest, 'join the room before typing in it');
    if (typing) this.typing.start(conn, room);
    else this.typing.stop(conn, room);
    return { ok: true };
  }

  /** The userIds typing in `room` now (through this registry's connections, with a cluster). O(typing members). */
  typingIn(room: string): string[] {
    return this.typing.list(room);
  }

  /**
   * Whether the connection may read what `room` shows (its recent leavers):
   * the room's access rules, as for a join. O(1).
   */
  mayRead(id: string, room: string): Result<{ room: string }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const denied = checkRoomAccess(room, conn.access);
    return denied ? { ok: false, error: denied } : { ok: true, room };
  }

  /**
   * Who left `room` in the last `recentMs` and is not back, most recent
   * first, at most `RECENT_MAX`; empty with a cluster, which keeps them
   * itself. O(RECENT_MAX).
   */
  recentLeavers(room: string): RecentLeaver[] {
    return this.recent?.list(room) ?? [];
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
    return { ok: true, rooms: this.rooms.leaveForbidden(conn) };
  }

  /**
   * The connection signs in, signs out or renews its token without
   * reconnecting (`session:token`): from now on it is `identity` (its
   * clientId unchanged), as if it had connected with it. The rooms the new
   * identity may not be in are left first, as explicit leaves (reason
   * `leave`), and answered in `left`. In each other room its member follows
   * it: with the same user, the token's name applies (`room:updated` if it
   * changed); with another, the member moves to the new user or the old one
   * leaves and the new one joins (see `Rooms.switchUser`); a change of user
   * stops the connection's typing first (a renewal keeps it). Pages, watches
   * and every page figure stay as they are. A change that would take the
   * connection's address past its budget is refused with `LIMIT_EXCEEDED`
   * and changes nothing. O(rooms of the connection).
   */
  changeIdentity(id: string, identity: Identity): Result<{ left: string[] }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    if (identity.clientId !== conn.identity.clientId) return ackError(ErrorCodes.BadRequest, 'a connection keeps its clientId');
    const userKey = userKeyOf(identity);
    const left: string[] = [];
    const stays = new Map<string, ResolvedProfile>();
    let bytes = 0;
    for (const room of conn.rooms) {
      if (checkRoomAccess(room, identity) !== null) {
        left.push(room);
        bytes -= conn.rooms.bytesOf(room);
        continue;
      }
      const own = this.rooms.profile(room, conn.userKey);
      if (!own) continue;
      const target = userKey === conn.userKey ? own : this.rooms.profile(room, userKey);
      const profile = switchedProfile(own, target, conn.rooms.note(room), identity);
      const next = { profile, cost: profileCost(profile) };
      stays.set(room, next);
      bytes += next.cost - conn.rooms.extra(room);
    }
    if (!this.fits(conn, bytes)) return this.overBudget();
    const before = ledgerMemberOf(conn);
    for (const room of left) this.rooms.leave(conn, room, 'leave', conn.id);
    // Its typing is its old user's: another user starts typing on its own.
    if (userKey !== before.userKey) this.typing.stopAll(conn);
    conn.identity = identity;
    conn.userKey = userKey;
    conn.access = identity;
    for (const [room, next] of stays) {
      if (userKey === before.userKey) this.rooms.update(conn, room, {}, next);
      else this.rooms.switchUser(conn, room, before, next);
    }
    return { ok: true, left };
  }

  // ---------------------------------------------------------------- moderation

  /**
   * Moderation: ends every connection of user `userId` in this registry at
   * once, live or held, as explicit leaves: nothing is held, each room the
   * member is in announces `room:left` with reason `leave` (once no
   * connection of the member is left there), its pages count down. Answers
   * the ids of the live connections, for the transport to close. O(this
   * registry's connections): a scan, for a rare operator call.
   */
  expelUser(userId: string): string[] {
    const live: string[] = [];
    for (const conn of [...this.connections.values()]) {
      if (conn.identity.userId !== userId) continue;
      if (conn.held === null) live.push(conn.id);
      this.expel(conn);
    }
    return live;
  }

  /**
   * Moderation: takes user `userId` out of `room` at once: each of its
   * connections there, live or held, leaves it (reason `leave`, announced
   * once the member is gone). The connections stay on their pages and in
   * their other rooms. Answers the ids of the live ones. O(members of the room).
   */
  removeFromRoom(userId: string, room: string): string[] {
    const live: string[] = [];
    for (const conn of this.rooms.connectionsOf(room, userId)) {
      const held = conn.held !== null;
      if (!held) live.push(conn.id);
      this.rooms.leave(conn, room, 'leave', held ? null : conn.id);
      if (held) this.grace.release(conn);
    }
    return live;
  }

  // ---------------------------------------------------------------- activity

  /**
   * The connection's client reports its activity (`active` when it connects).
   * Its pages' `active` counts and its members' activity follow; a member
   * whose activity changed is announced (`room:updated`, not in a large
   * room). A connection that turns `hidden` stops listening: no announcement
   * is owed to it from now on (read what it holds first, {@link lastSent}).
   * O(pages and rooms of the connection).
   */
  setActivity(id: string, state: ActivityState): Result<{ state: ActivityState; previous: ActivityState }> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    const previous = conn.activity;
    if (previous === state) return { ok: true, state, previous };
    conn.activity = state;
    if (!isListening(state)) {
      this.pages.forget(conn);
      this.rooms.forget(conn);
      this.globalStats.forget(conn);
    }
    if (conn.counted) {
      const pages = this.pages.activityChanged(conn, previous);
      this.rooms.activityChanged(conn, previous);
      if (pages.length + conn.rooms.size > 0) this.ledger?.activity(ledgerMemberOf(conn), previous, pages, [...conn.rooms], conn.id);
    }
    return { ok: true, state, previous };
  }

  /** Whether connection `id` is live and listening (not hidden): announcements reach it, and what it is answered is what it holds. O(1). */
  listening(id: string): boolean {
    const conn = this.live(id);
    return conn !== undefined && isListening(conn.activity);
  }

  /** What a live connection follows: the pages it is on or watches, its rooms, the stats. O(what it follows). */
  followed(id: string): Followed | null {
    const conn = this.live(id);
    if (!conn) return null;
    return { pages: [...new Set([...conn.pages, ...conn.watched])], rooms: [...conn.rooms], stats: conn.watchingStats };
  }

  /**
   * What a live connection holds of the figures it follows (`followed`):
   * each one's value last sent to it, or acked to it since; a large room's
   * total is undefined before its first `room:count`, and so are the stats
   * before any was sent. Read as it stops listening, to be compared with the
   * figures when it listens again. O(what it follows).
   */
  lastSent(id: string, followed: Followed): LastSent | null {
    const conn = this.live(id);
    if (!conn) return null;
    return {
      pages: followed.pages.map((page) => this.pages.lastSent(conn, page)),
      totals: followed.rooms.filter((room) => this.rooms.isLarge(room)).map((room) => ({ room, total: this.rooms.lastTotal(conn, room) })),
      stats: followed.stats ? this.globalStats.lastSent(conn) : undefined,
    };
  }

  /**
   * The current figures of what a live connection follows, each noted as
   * what it now holds (it listens again, and is sent those that differ from
   * what it held): page counts, large rooms' totals, the stats. Small rooms'
   * lists are read with {@link roster}. O(what it follows).
   */
  caughtUp(id: string, followed: Followed): CurrentFigures | null {
    const conn = this.live(id);
    if (!conn) return null;
    return {
      pages: followed.pages.map((page) => this.pages.countsFor(conn, page)),
      totals: followed.rooms.filter((room) => this.rooms.isLarge(room)).map((room) => ({ room, total: this.rooms.totalFor(conn, room) })),
      stats: followed.stats ? this.globalStats.statsFor(conn) : undefined,
    };
  }

  // ---------------------------------------------------------------- stats

  watchStats(id: string): Result<Stats> {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    return { ok: true, ...this.globalStats.watch(conn) };
  }

  unwatchStats(id: string): Result {
    const conn = this.live(id);
    if (!conn) return unknownConnection();
    this.globalStats.unwatch(conn);
    return { ok: true };
  }

  /**
   * Held connections (disconnected, still counting for the grace period) of
   * `address`: they count against its connection limit until they end. O(1).
   */
  heldAt(address: string): number {
    return this.grace.heldAt(address);
  }

  /**
   * Ends the oldest held connection of `address` at once, through the same
   * path as its grace running out: its pages count down, its rooms hear
   * `room:left` with reason `disconnect`, a cluster's ledger hears it as an
   * expiry. False if the address holds none.
   */
  endOldestHeld(address: string): boolean {
    return this.grace.endOldest(address);
  }

  /** Connections (held ones included), distinct clients and the top pages. */
  stats(): Stats {
    return this.globalStats.current();
  }

  /** Changes of page counts so far; fewer `page:count`s go out, thanks to coalescing. */
  countChanges(): number {
    return this.pages.countChanges;
  }

  /** Sizes for metrics and health checks. O(1). */
  sizes(): { connections: number; visitors: number; pages: number; rooms: number; held: number } {
    return { ...this.globalStats.sizes(), rooms: this.rooms.size, held: this.grace.size };
  }

  /** Bytes of presence state every address together makes this process hold (see `state-cost.ts`). O(1). */
  stateBytes(): number {
    return this.budget.total;
  }

  /** Bytes of presence state `address` makes this process hold (see `state-cost.ts`). O(1). */
  addressBytes(address: string): number {
    return this.budget.bytesOf(address);
  }

  // ---------------------------------------------------------------- cluster

  /**
   * What this registry contributes to the figures right now (counted
   * connections, live and held, and their pages), for a cluster store to
   * rebuild its share after losing it. O(clients + page entries).
   */
  contributions(): PresenceContributions {
    return {
      online: this.globalStats.online(),
      pages: this.pages.contributions(),
      rooms: this.rooms.contributions(),
      held: this.grace.contributions(),
      typing: this.typing.contributions(),
    };
  }

  /**
   * A connection returning to another process took the place of a held one
   * of this registry on `key` (a page, `p`, or a room, `r`): the held
   * contribution ends here without any count moving or any announcement,
   * as it moved to the other process. Nothing happens if it already expired.
   */
  takeOver(kind: 'p' | 'r', key: string, clientId: string, userKey: string, activity?: ActivityState): void {
    const held = this.grace.find(clientId, userKey, kind, key, activity);
    if (!held) return;
    if (kind === 'p') this.pages.release(held, key);
    else this.rooms.release(held, key);
    this.grace.release(held);
  }

  /**
   * Stops every timer; the registry sends nothing more and holds no one.
   * Everyone's presence ends with it: the occupancy sink hears every member
   * leave (reason `disconnect`) and every room and page vacated, so that
   * what it was told does not keep people the process no longer has.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pages.dispose();
    this.globalStats.dispose();
    this.rooms.dispose();
    this.typing.dispose();
    this.recent?.dispose();
    this.grace.dispose();
  }

  // ---------------------------------------------------------------- internals

  private live(id: string): Connection | undefined {
    const conn = this.connections.get(id);
    return conn && !conn.held ? conn : undefined;
  }

  /** Ends a connection at once, live or held, its rooms left as explicit leaves. */
  private expel(conn: Connection): void {
    const held = conn.held !== null;
    for (const room of [...conn.rooms]) this.rooms.leave(conn, room, 'leave', held ? null : conn.id);
    if (held) {
      this.pages.leaveAll(conn);
      this.grace.release(conn);
      return;
    }
    conn.watched.clear();
    this.globalStats.unwatch(conn);
    this.end(conn);
  }

  private fits(conn: Connection, bytes: number): boolean {
    return this.budget.fits(conn.account.address, bytes);
  }

  private overBudget(): AckError {
    return ackError(ErrorCodes.LimitExceeded, `at most ${this.budget.maxBytesPerAddress} bytes of presence state per address`);
  }

  /** The member's profile in `room` after `input`, resolved once for both the budget and the room. */
  private resolve(conn: Connection, room: string, input: ProfileInput | undefined): ResolvedProfile {
    const profile = resolveProfile(this.rooms.profile(room, conn.userKey), input, conn.identity);
    return { profile, cost: profileCost(profile) };
  }

  /**
   * What `conn` joining `room` (or updating its profile there) with `next`
   * adds: the room's entry if new, the profile's change, and the name the
   * input gives (kept for when the connection is anonymous there).
   */
  private roomCost(conn: Connection, room: string, next: ResolvedProfile, input: ProfileInput | undefined): number {
    const entry = conn.rooms.has(room) ? 0 : keyCost(room);
    const named = input?.name === undefined ? 0 : noteCost(input.name) - noteCost(conn.rooms.note(room));
    return entry + next.cost - conn.rooms.extra(room) + named;
  }

  /** Ends a connection's presence everywhere (its grace ran out, none applies, or nothing of it is left). */
  private end(conn: Connection): void {
    this.pages.leaveAll(conn);
    this.rooms.leaveAll(conn);
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    if (!conn.counted) return;
    this.grace.forget(conn);
    this.globalStats.disconnected(conn.identity.clientId);
    this.ledger?.online(conn.identity.clientId, -1);
  }
}

function unknownConnection(): AckError {
  return ackError(ErrorCodes.BadRequest, 'unknown connection');
}

/** The stats' listener, and the history's when one is kept. */
function viewersListeners(stats: ViewersListener, history: ViewersListener | null): ViewersListener {
  if (!history) return stats;
  return {
    viewersMoved(page, before, after) {
      stats.viewersMoved(page, before, after);
      history.viewersMoved(page, before, after);
    },
  };
}

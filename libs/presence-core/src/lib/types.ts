import type { ActivityState, HistoryPoint, LeaveReason, Member, PageCounts, PollTallies, ProfileInput, RecentLeaver, RoomSyncEvent, Stats } from '@presently/protocol';

/** Who a connection belongs to, as established at its handshake. */
export interface Identity {
  /** The browser's own id: its credential, never sent to anyone else. */
  clientId: string;
  /** A signed-in user's `sub`, or an anonymous visitor's public id (derived from its clientId). */
  userId: string;
  /** `null` for anonymous visitors. */
  name: string | null;
  roles: readonly string[];
  authenticated: boolean;
  /** Epoch ms after which the token no longer vouches for the user (its `exp` plus the allowed skew). */
  expiresAt?: number;
}

/** What a connection follows: the pages it is on or watches, the rooms it joined, whether it watches the stats. */
export interface Followed {
  pages: string[];
  rooms: string[];
  stats: boolean;
}

/**
 * Figures a connection holds (or is answered): each followed page's counts
 * (undefined: not known), each large room's total (undefined: no
 * `room:count` was ever sent), the stats if it watches them (undefined: none
 * was ever sent).
 */
export interface LastSent {
  pages: (PageCounts | undefined)[];
  totals: { room: string; total: number | undefined }[];
  stats: Stats | undefined;
}

/** The figures of what a connection follows as they are now: its pages, its large rooms' totals, the stats if it watches them. */
export interface CurrentFigures {
  pages: PageCounts[];
  totals: { room: string; total: number }[];
  stats: Stats | undefined;
}

/** How a connection is registered. */
export interface ConnectOptions {
  /**
   * Whether the connection counts in any figure (`viewers`, `connections`,
   * `online`, `top`, rooms). Default true; false for crawlers and preview
   * bots, which are served but never counted.
   */
  counted?: boolean;
  /**
   * The client address (as a per-address limit keys it) the connection
   * counts against: its held time counts there (see `Presence.heldAt`) and
   * its budget pays for what it holds; default `''`, one shared address.
   */
  address?: string;
}

/** Where a page's coalesced counts go: to every connection on or watching it. */
export interface PageCountSink {
  pageCount(counts: PageCounts): void;
}

/** Where the coalesced global stats go: to every stats watcher. */
export interface StatsSink {
  stats(stats: Stats): void;
}

/**
 * Where room events go: to every connection in the room. `except` names the
 * connection that caused the event; it must not receive it.
 */
export interface RoomSink {
  roomJoined(room: string, member: Member, except: string): void;
  /**
   * A member's profile or activity changed; `except` is null when no connection caused it (a grace expiry).
   * With `previousUserId`, the member of that user is gone and `member` took its place (a connection changed identity).
   */
  roomUpdated(room: string, member: Member, except: string | null, previousUserId?: string): void;
  /** `duration`: ms from the member's `since` to its leave. */
  roomLeft(room: string, userId: string, reason: LeaveReason, duration: number, except: string | null): void;
  /** A large room's member count changed (coalesced), to every connection in it. */
  roomCount(room: string, total: number): void;
  /** A large room fell back below the line: its members (and who types), to every connection in it. */
  roomSync(sync: RoomSyncEvent): void;
}

/**
 * Where typing goes: a member started or stopped typing, to every connection
 * in the room but `except`, the one whose typing changed.
 */
export interface TypingSink {
  roomTyping(room: string, userId: string, typing: boolean, except: string | null): void;
}

/**
 * Where each change of who is present goes, one by one, as it is decided
 * (webhooks are made of them): a page's first viewer and its last, a room's
 * first member and its last, and each member's arrival and departure, in
 * large rooms too. A disconnect's departure comes once its grace ran out;
 * a return within the grace is no change. For one page or room the calls
 * come in order: `roomOccupied` before the first `memberJoined`, the last
 * `memberLeft` before `roomVacated`.
 *
 * In one process the registry decides them; in a cluster the store does,
 * each change once for the whole cluster, and the registry reports none.
 */
export interface OccupancySink {
  /** `page` had no viewer anywhere and has one now. */
  pageOccupied(page: string): void;
  /** `page`'s last viewer left. */
  pageVacated(page: string): void;
  /** `room` had no member and has one now (its `memberJoined` follows). */
  roomOccupied(room: string): void;
  /** A user's first connection joined `room`: the member as it joined. */
  memberJoined(room: string, member: Member): void;
  /** A user's last connection left `room`. */
  memberLeft(room: string, departure: Departure): void;
  /** `room`'s last member left (its `memberLeft` came before). */
  roomVacated(room: string): void;
}

/** A member's departure from a room. */
export interface Departure {
  userId: string;
  reason: LeaveReason;
  /** Milliseconds from the member's `since` to the last moment one of its connections was there (for a grace that ran out, its disconnect), as `room:left` tells it. */
  duration: number;
}

/**
 * Where the core sends what other connections must hear. The core never does
 * I/O: the transport implements this (Socket.IO rooms, SSE streams, a test
 * recorder).
 */
export type PresenceSink = PageCountSink & StatsSink & RoomSink & TypingSink;

export interface PresenceLimits {
  maxPagesPerSocket: number;
  maxWatchedPerSocket: number;
  maxRoomsPerSocket: number;
  /**
   * Bytes of presence state one client address may make the server hold
   * (see `state-cost.ts`); an event past it is refused with
   * `LIMIT_EXCEEDED`. 0 or unset: no limit.
   */
  maxBytesPerAddress?: number;
}

export interface PresenceOptions extends PresenceLimits {
  graceMs: number;
  countIntervalMs: number;
  statsIntervalMs: number;
  /** Members above which a room announces counts instead of members (default 1000). */
  rosterMax?: number;
  /** Typing ends by itself this long after a connection's last `typing: true` (ms, default 6000). */
  typingMs?: number;
  /** How long a room remembers who left it (ms, default 600000; 0: nobody). */
  recentMs?: number;
  /** Pages that keep an occupancy history, the busiest (default 1000). */
  historyPages?: number;
}

/** Who a room contribution belongs to, as the ledger needs it. */
export interface LedgerMember {
  clientId: string;
  /** One key per user: `u:<userId>`, or `a:<userId>` for an anonymous visitor (its public id). */
  userKey: string;
  userId: string;
  /** The name an authenticated user's token imposes; null: the profile's. */
  tokenName: string | null;
  /** The connection's activity (a held one's is its last). */
  activity: ActivityState;
}

/**
 * Where a registry reports every change of what it contributes to the
 * figures: its counted connections by client, their pages and their rooms,
 * and what is held after a disconnect. A cluster store adds these
 * contributions up across processes; the core calls it synchronously and
 * never waits for it.
 */
export interface PresenceLedger {
  /** A counted connection of `clientId` began (+1) or ended (-1), held time included. */
  online(clientId: string, delta: 1 | -1): void;
  /**
   * A counted connection was put on (+1) or taken off (-1) `page`. `held`:
   * the connection was held (its grace ran out), so the contribution may
   * already have been taken over by a returning connection elsewhere.
   */
  page(page: string, who: LedgerMember, delta: 1 | -1, held: boolean): void;
  /**
   * A connection joined a room (+1), or changed its profile there (0, also
   * when it takes the place of a held connection of this registry), or left
   * it (-1, with the reason and the connection that caused it).
   */
  room(room: string, who: LedgerMember, delta: 1 | 0 | -1, change: RoomChange): void;
  /**
   * A live connection in `room` changed user (`from` → `to`, another
   * userKey, the same clientId): its contribution moves to the new user.
   * When it was the old member's only connection anywhere and the new user
   * was not a member, the member itself moves to the new user in its place
   * (announced as one `room:updated` with `previousUserId`); otherwise it is
   * a leave of the old member (reason `leave`) and a join of the new one.
   */
  switchUser(room: string, from: LedgerMember, to: LedgerMember, change: UserSwitch): void;
  /**
   * A disconnected connection's page (`p`) or room (`r`) is held for the
   * grace period (+1), or no longer (-1: taken over in this registry).
   */
  hold(kind: 'p' | 'r', key: string, who: LedgerMember, delta: 1 | -1): void;
  /**
   * A member started typing in `room` in this registry (+1: its first typing
   * connection here) or stopped (-1: its last one stopped, left or went
   * away). `origin`: the connection whose typing changed (no event goes to it).
   */
  typing(room: string, who: LedgerMember, delta: 1 | -1, origin: string): void;
  /**
   * A counted connection's activity changed from `from` to `who.activity`
   * while on `pages` and in `rooms` (`origin`: that connection, which hears
   * no announcement of it); also told for a page whose held place a
   * connection of another activity took (`from`: the held one's).
   */
  activity(who: LedgerMember, from: ActivityState, pages: readonly string[], rooms: readonly string[], origin: string): void;
}

/** What comes with a room contribution change. */
export interface RoomChange {
  input?: ProfileInput;
  reason?: LeaveReason;
  /** The connection that caused it (no event goes to it); null for an expiry. */
  origin: string | null;
  held?: boolean;
  /** For a new member: when its first connection joined (epoch ms). */
  now: number;
  /**
   * For a leave: the moment the connection stopped being present (epoch ms):
   * `now`, or the disconnect of a held connection whose grace ran out.
   */
  at?: number;
  /** A join (0) that took a held connection's place: that connection's activity, which the joining one's replaces. */
  replaced?: ActivityState;
}

/** What comes with a connection's change of user in a room (see {@link PresenceLedger.switchUser}). */
export interface UserSwitch {
  /** The name the member takes when it moves to the new user or is a new member (`to.tokenName` applies to an existing one). */
  name: string;
  /** The connection that changed user (no event goes to it). */
  origin: string;
  /** For a new member: now (epoch ms). */
  now: number;
}

/** Everything a registry contributes right now, to rebuild a cluster store's share. */
export interface PresenceContributions {
  /** [clientId, counted connections]. */
  online: [string, number][];
  /** [page, clientId, connections of the client on the page, the active ones among them]. */
  pages: [string, string, number, number][];
  /** Room members with this registry's connections of them, by activity. */
  rooms: { room: string; userKey: string; member: Member; states: Record<ActivityState, number> }[];
  /** Each page and room of each held connection, with its last activity. */
  held: { kind: 'p' | 'r'; key: string; clientId: string; userKey: string; activity: ActivityState }[];
  /** The members typing in a room through this registry's connections. */
  typing: { room: string; userKey: string }[];
}

/**
 * The figures of every process together (`REDIS_URL` mode). Each process
 * keeps its own registry for its own connections and reports its
 * contributions through the ledger; the cluster answers the sums. Reads
 * reject while the cluster store is unreachable; callers fall back to the
 * local figures.
 */
export interface PresenceCluster extends PresenceLedger {
  /** Whether the store is reachable and holds this process's share. */
  readonly ready: boolean;
  /** Resolves once every contribution reported so far has been applied or has failed. */
  settled(): Promise<void>;
  pageCounts(pages: readonly string[]): Promise<PageCounts[]>;
  stats(): Promise<Stats>;
  /** How many members a room has. */
  roomTotal(room: string): Promise<number>;
  /**
   * What join acks list: the first `max` members (earliest first), the
   * total, and the members of `selfKeys` (userKeys) wherever they are in the
   * room; without reading the whole room.
   */
  roster(room: string, max: number, selfKeys?: readonly string[]): Promise<ClusterRoster>;
  /** Who left `room` in the last `RECENT_MS` and is not back, most recent first, at most `RECENT_MAX`. */
  recent(room: string): Promise<RecentLeaver[]>;
  /** A page's occupancy over the last hour, a point per minute with viewers, by the cluster's clock. */
  history(page: string): Promise<HistoryPoint[]>;
  /** One vote in a declared live poll (a protocol extension), within the option limit; the tallies after it. */
  pollVote(poll: string, option: string, limits: { maxOptions: number }): Promise<ClusterVote>;
  pollTallies(poll: string): Promise<PollTallies>;
  /** Declares a poll for the whole cluster (idempotent), within `maxPolls` declared polls. */
  pollDeclare(poll: string, maxPolls: number): Promise<'created' | 'exists' | 'refused'>;
  /** Whether a poll is declared, anywhere in the cluster. */
  pollDeclared(poll: string): Promise<boolean>;
  /** Closes a declared poll: its final tallies (released from the store), or null when it was not declared. Every process hears `pollClosed`. */
  pollClose(poll: string): Promise<PollTallies | null>;
  /**
   * The secret anonymous ids are derived with when none is configured, the
   * same on every process: the one the cluster holds, else `candidate`, which
   * is stored for the others. Called before {@link start}; the store keeps
   * the secret it answered and stores it again whenever it finds the cluster
   * emptied (Redis restarted without its data). If another secret got there
   * first meanwhile (a process started while the store was empty), the store
   * adopts that one and tells `adopted`, so that every process ends up
   * deriving the same ids.
   */
  sharedSecret(candidate: string, adopted: (secret: string) => void): Promise<string>;
  /**
   * Starts the store: registers this process, applies its share, heartbeats
   * and watches the other processes. `contributions` is read whenever the
   * share must be rebuilt (the store restarted, the link came back).
   * `listener` hears of every change anywhere in the cluster that this
   * process must announce or relay.
   */
  start(contributions: () => PresenceContributions, listener: ClusterListener): Promise<void>;
  /** Withdraws this process's share and disconnects. */
  stop(): Promise<void>;
}

/** A room's roster as a cluster store answers it. */
export interface ClusterRoster {
  members: Member[];
  total: number;
  /** The member of each asked-for userKey, in order; null for one not in the room. */
  selves: (Member | null)[];
  /** The userIds typing now. */
  typing: string[];
  /** Whether the room is large (above `ROSTER_MAX`, until it falls below 90 % of it). */
  large: boolean;
}

/** A vote as the cluster took it, or which limit refused it. */
export type ClusterVote = { tallies: PollTallies } | { refused: 'undeclared' | 'options' };

/**
 * What a cluster store tells its process. Its {@link OccupancySink} part
 * hears each change of who is present that the store decided on a change of
 * this process (its join, leave or expiry; the withdrawal of a process it
 * reaped, or its own; its rebuild), so that each is reported by one process
 * of the cluster only. Likewise its {@link RoomSink} part (but `roomCount`)
 * and {@link TypingSink} part hear the room events and the typing this
 * process's changes decided (its join was a user's first anywhere, a large
 * room fell below 90 % of `ROSTER_MAX`, ...): for every process's sockets.
 */
export interface ClusterListener extends OccupancySink, Omit<RoomSink, 'roomCount'>, TypingSink {
  /** A page's counts (or, for `null`, the global stats) may have changed anywhere. */
  changed(page: string | null): void;
  /** A poll's tallies changed somewhere: this process's watchers of it are due a (coalesced) `poll:tally`. */
  pollChanged(poll: string): void;
  /** A poll was closed somewhere: this process forgets who watched it. */
  pollClosed(poll: string): void;
  /** A large room's total changed somewhere: this process's sockets of it are due a (coalesced) `room:count`. */
  roomChanged(room: string): void;
  /**
   * A connection returning elsewhere took the place of one this process
   * holds (one whose last activity was `activity`): drop that held
   * contribution here without counting it down.
   */
  takenOver(kind: 'p' | 'r', key: string, clientId: string, userKey: string, activity: ActivityState): void;
  /**
   * The cluster's figures may have changed in ways no per-key message told
   * (a process rebuilt its share, or this process's subscription was down):
   * every figure a local socket follows must be read again and re-announced.
   */
  resynced(): void;
}

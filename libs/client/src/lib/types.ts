import type { Observable } from 'rxjs';
import type {
  ActivityState,
  ErrorCode,
  LeaveReason,
  Member,
  PageCounts,
  PollTallies,
  ProfileInput,
  RecentLeaver,
  Session,
  Stats,
} from '@presently/protocol';
import type { ActivitySource } from './activity-source';
import type { TypingOptions } from './typing-sender';

export type { ActivitySource } from './activity-source';
export type { TypingOptions } from './typing-sender';

/**
 * `connecting`: the first connection is being made. `connected`: the socket is
 * up and everything entered, watched and joined has been restored.
 * `reconnecting`: the connection dropped and the client is trying again.
 * `offline`: the client was closed, or the server refused it for good
 * (`UNAUTHORIZED`); it does not try again by itself.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Where the client keeps its clientId (`localStorage` by default, when there is one). */
/** How a `pageCount$` subscriber wants the page's counts. */
export interface PageCountOptions {
  /** At most one count per `every` ms (see `PAGE_EVERY_VALUES`); none: the server's own rate. */
  every?: number;
}

export interface ClientIdStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface PresenceClientOptions {
  /** The server's origin, e.g. `https://presence.example.com`; `''` means the page's own origin. */
  url: string;
  /** A signed token naming the user, or a function asked for one at every (re)connection. */
  token?: string | null | (() => string | null | undefined | Promise<string | null | undefined>);
  /** A stable id of this browser; by default kept in `storage`, else assigned by the server. */
  clientId?: string;
  /** `null` keeps nothing; default: `globalThis.localStorage` when it exists. */
  storage?: ClientIdStorage | null;
  /** Socket.IO transports; default `['websocket', 'polling']`. */
  transports?: Array<'websocket' | 'polling' | 'webtransport'>;
  /** First and longest delay between reconnection attempts (default 500 ms and 10 s). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** How long a sent command waits for its ack before rejecting with `TIMEOUT` (default 10 s). */
  ackTimeoutMs?: number;
  /**
   * Reports this page's activity to the server (`presence:activity`):
   * `hidden` while the page is hidden, `idle` after `idleMs` without input,
   * `active` otherwise. On by default where there is a `document`; nothing
   * is reported or touched without one (Node, server-side rendering).
   * `false` turns it off (the server then holds the socket `active`).
   */
  activity?: false | ActivityOptions;
  /** When `typing(room)` renews and stops by itself. */
  typing?: TypingOptions;
  /**
   * How long the server remembers who left (its `RECENT_MS`, default
   * 600000): recent leavers older than this drop out of `recent$` here too.
   */
  recentMs?: number;
  /**
   * `false`: make no connection until `reconnect()` (a server-side render
   * should open none). Commands wait meanwhile. Default `true`.
   */
  autoConnect?: boolean;
}

export interface ActivityOptions {
  /** Without input for this long, the page is `idle` (default 60000 ms). */
  idleMs?: number;
  /** Where visibility and input come from; default: the page's `document`. */
  source?: ActivitySource;
}

export type RoomEvent =
  | { type: 'joined'; room: string; member: Member }
  /** `duration`: how long the member was there, in ms (servers of protocol 1.1). */
  | { type: 'left'; room: string; userId: string; reason: LeaveReason; duration?: number }
  /**
   * A member's profile or activity changed. With `previousUserId`, the member
   * of that id signed in or out without reconnecting and is replaced, in its
   * place, by `member` (no leave, no join).
   */
  | { type: 'updated'; room: string; member: Member; previousUserId?: string }
  /**
   * This client is no longer a member, and does not join again on
   * reconnection. `moderation`: the application took it out (`POST
   * /api/disconnect` with a room). `identity`: its new identity
   * (`setToken`, `signOut`) may not be in the room, which the server left.
   */
  | { type: 'removed'; room: string; reason: RemovedReason };

export type RemovedReason = 'moderation' | 'identity';

export interface RoomJoinResult {
  room: string;
  self: Member;
  /** At most `ROSTER_MAX` members, earliest first. */
  members: Member[];
  /** Every member, listed or not. */
  total: number;
}

/** One room as seen by this client. */
export interface PresenceRoom {
  readonly name: string;
  /**
   * The members, kept in sync from the join ack and `room:joined/left/updated`
   * (a new array on every change; never mutated). Empty until joined.
   */
  readonly members$: Observable<readonly Member[]>;
  /** Joins, leaves and profile changes of other members, as they arrive. */
  readonly events$: Observable<RoomEvent>;
  /**
   * How many members the room has. Above `ROSTER_MAX` the server sends counts
   * (`room:count`) instead of joins and leaves: `members$` then holds the
   * earliest members only, and this is the figure to show.
   */
  readonly total$: Observable<number>;
  /**
   * The userIds of the other members typing now, in the order they started
   * (a new array on every change). From the join's answer, then
   * `room:typing`; a member who leaves stops. Empty while not joined, and
   * while the room is large (typing is not announced there).
   */
  readonly typing$: Observable<readonly string[]>;
  /**
   * Who left in the last `RECENT_MS` and is not back, most recent first:
   * asked for while subscribed, then kept up to date from the room's
   * leaves and joins while joined. Fails with a PresenceError when refused
   * (`FORBIDDEN` for a room this user may not see).
   */
  readonly recent$: Observable<readonly RecentLeaver[]>;
  join(profile?: ProfileInput): Promise<RoomJoinResult>;
  leave(): Promise<void>;
  update(profile: ProfileInput): Promise<Member>;
  /**
   * Call on every keystroke: this user is typing in the room (while it is
   * joined). Sends `typing: true` at once, renews it while calls keep coming,
   * and stops by itself after a pause without a call. Never throws; a
   * refused or lost typing hint is dropped.
   */
  typing(): void;
  /** This user stopped typing (sent the message, cleared the field). */
  stopTyping(): void;
}

/** A live poll: click counts per option, kept by the server. */
export interface PresencePoll {
  readonly name: string;
  /** The tallies; watching while subscribed. */
  readonly tallies$: Observable<PollTallies>;
  vote(option: string): Promise<PollTallies>;
}

export interface PresenceClient {
  readonly connectionState$: Observable<ConnectionState>;
  /** The current session (again after every reconnection, and after `setToken` or `signOut`). */
  readonly session$: Observable<Session>;
  /**
   * This page's activity as reported to the server (`active`, `idle`,
   * `hidden`); stays `active` when activity reporting is off or there is no
   * document.
   */
  readonly activity$: Observable<ActivityState>;
  /** Global stats; watched while subscribed. */
  readonly stats$: Observable<Stats>;
  /**
   * A page's counts, watched (not counted) while subscribed. `every` (ms, one
   * of 0, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000) asks the server
   * for at most one count per `every`, the last value always delivered; the
   * page is watched at the fastest rate its subscribers ask for (none: the
   * server's own), and a page this client entered comes at the server's own.
   */
  pageCount$(page: string, options?: PageCountOptions): Observable<PageCounts>;
  /** Counts this client on a page until `leavePage` (restored after reconnects). */
  enterPage(page: string): Promise<PageCounts>;
  leavePage(page: string): Promise<void>;
  /** Watches pages until `unwatchPages` (restored after reconnects); counts arrive on `pageCount$`. */
  watchPages(pages: string[]): Promise<PageCounts[]>;
  unwatchPages(pages: string[]): Promise<void>;
  room(name: string): PresenceRoom;
  join(room: string, profile?: ProfileInput): Promise<RoomJoinResult>;
  leave(room: string): Promise<void>;
  updateProfile(room: string, profile: ProfileInput): Promise<Member>;
  /** This user is typing in `room`; see `PresenceRoom.typing`. */
  typing(room: string): void;
  stopTyping(room: string): void;
  /**
   * Signs in as another user, or refreshes the token, without reconnecting
   * (`session:token`). Resolves with the new session once every room's list
   * shows the new identity; rooms the new identity may not be in are left
   * (`removed` with reason `identity`). Rejects with `UNAUTHORIZED` for a bad
   * or expired token, or when the application refuses it: nothing changes.
   * Reconnections after a drop keep this token (the `token` option is asked
   * again only after `reconnect()`).
   */
  setToken(token: string | null): Promise<Session>;
  /** `setToken(null)`: anonymous again, without reconnecting. */
  signOut(): Promise<Session>;
  /** The server's clock, as estimated from the last session (for `leftAt` and `since`). */
  serverNow(): number;
  poll(name: string): PresencePoll;
  /** Events the server's own code sends to this client (`POST /api/emit`). */
  on$<T = unknown>(event: string): Observable<T>;
  /**
   * Makes a new handshake now with the `token` option (a function is asked
   * again; a token set with `setToken` is dropped) and restores everything
   * on it: to leave `offline` after an `UNAUTHORIZED` refusal, or to sign in
   * or out through a reconnection.
   */
  reconnect?(): void;
  /** Closes the socket and completes every stream. */
  close(): void;
}

/** What an ack error turns into: `code` is the protocol's error code. */
export interface PresenceErrorShape {
  code: ErrorCode | 'DISCONNECTED' | 'TIMEOUT';
  message: string;
}

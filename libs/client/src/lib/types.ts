import type { Observable } from 'rxjs';
import type {
  ErrorCode,
  LeaveReason,
  Member,
  PageCounts,
  PollTallies,
  ProfileInput,
  Session,
  Stats,
} from '@presently/protocol';

/**
 * `connecting`: the first connection is being made. `connected`: the socket is
 * up and everything entered, watched and joined has been restored.
 * `reconnecting`: the connection dropped and the client is trying again.
 * `offline`: the client was closed, or the server refused it for good
 * (`UNAUTHORIZED`); it does not try again by itself.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Where the client keeps its clientId (`localStorage` by default, when there is one). */
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
}

export type RoomEvent =
  | { type: 'joined'; room: string; member: Member }
  | { type: 'left'; room: string; userId: string; reason: LeaveReason }
  | { type: 'updated'; room: string; member: Member }
  /** This client was taken out of the room by the application (`POST /api/disconnect` with a room): it is no longer a member and does not join again on reconnection. */
  | { type: 'removed'; room: string };

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
  join(profile?: ProfileInput): Promise<RoomJoinResult>;
  leave(): Promise<void>;
  update(profile: ProfileInput): Promise<Member>;
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
  /** The current session (again after every reconnection). */
  readonly session$: Observable<Session>;
  /** Global stats; watched while subscribed. */
  readonly stats$: Observable<Stats>;
  /** A page's counts, watched (not counted) while subscribed. */
  pageCount$(page: string): Observable<PageCounts>;
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
  poll(name: string): PresencePoll;
  /** Events the server's own code sends to this client (`POST /api/emit`). */
  on$<T = unknown>(event: string): Observable<T>;
  /**
   * Makes a new handshake now (asking a token function again) and restores
   * everything on it: after signing in or out, or to leave `offline` after
   * an `UNAUTHORIZED` refusal.
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

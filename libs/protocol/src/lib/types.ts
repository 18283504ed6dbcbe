import type { AckError } from './errors';

/** A JSON value, as `meta` may hold. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Session {
  /** v1.1: the protocol version the server speaks (`"1.1"`, `PROTOCOL_VERSION`). */
  protocol: string;
  clientId: string;
  userId: string;
  /** `null` for anonymous visitors. */
  name: string | null;
  roles: string[];
  serverTime: number;
}

export interface PageCounts {
  page: string;
  viewers: number;
  connections: number;
  /** v1.1: distinct clientIds with at least one `active` socket on the page (a held socket keeps its last state). */
  active: number;
}

/** v1.1: a socket's activity, as its client reports it; a member's is its most active socket's. */
export type ActivityState = 'active' | 'idle' | 'hidden';

export interface Profile {
  name: string;
  status: string;
  meta: JsonObject;
}

export type ProfileInput = Partial<Profile>;

export interface Member extends Profile {
  userId: string;
  /** The user's sockets in the room, held ones included. */
  connections: number;
  /** Epoch milliseconds of the user's first join, kept across a grace return. */
  since: number;
  /** v1.1: the most active state among the member's sockets in the room (a held socket keeps its last state). */
  activity: ActivityState;
}

export type LeaveReason = 'leave' | 'disconnect' | 'node-down';

export interface TopPage {
  page: string;
  viewers: number;
}

export interface Stats {
  online: { connections: number; visitors: number };
  top: TopPage[];
}

/** v1.1: one minute of a page's occupancy history (`GET /api/pages/history`). */
export interface HistoryPoint {
  /** The minute's start, epoch milliseconds (the server's clock; Redis's `TIME` in a cluster). */
  t: number;
  /** The most `viewers` the page had in the minute. */
  peak: number;
  /** The time-weighted mean of `viewers` over the part of the minute that has passed, to two decimals. */
  mean: number;
}

/** v1.1: `GET /api/pages/history`: the last hour, a point per minute with viewers, oldest first. */
export interface PageHistory {
  page: string;
  /** The points' width in milliseconds (`HISTORY_INTERVAL_MS`). */
  interval: number;
  points: HistoryPoint[];
}

// client → server payloads
export interface PagePayload {
  page: string;
}
export interface PagesPayload {
  pages: string[];
}
/** `page:watch`: v1.1 adds `every`, the rate this socket wants (ms, one of `PAGE_EVERY_VALUES`). */
export interface PageWatchPayload extends PagesPayload {
  every?: number;
}
/** `stats:watch`: v1.1 adds `every` (ms, one of `STATS_EVERY_VALUES`; default 1000). */
export interface StatsWatchPayload {
  every?: number;
}
/** v1.1 `presence:activity`. */
export interface ActivityPayload {
  state: ActivityState;
}
/** v1.1 `room:typing`, client → server. */
export interface RoomTypingPayload {
  room: string;
  typing: boolean;
}
/** v1.1 `session:token`: a JWT as in the handshake, or `null` to become anonymous again. */
export interface SessionTokenPayload {
  token: string | null;
}
export interface RoomJoinPayload {
  room: string;
  profile?: ProfileInput;
}
export interface RoomPayload {
  room: string;
}
export interface RoomUpdatePayload {
  room: string;
  profile: ProfileInput;
}
export type EmptyPayload = Record<string, never>;
export interface PollPayload {
  poll: string;
}
export interface PollVotePayload {
  poll: string;
  option: string;
}

/** A poll's click count per option (options never clicked are absent). */
export interface PollTallies {
  poll: string;
  tallies: Record<string, number>;
  /** Only on the last `poll:tally` of a poll the application closed: its final tallies; nothing follows. */
  closed?: true;
}

// acks
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;
export type PageEnterAck = Ack<PageCounts>;
export type PageLeaveAck = Ack<{ page: string }>;
export type PageWatchAck = Ack<{ counts: PageCounts[] }>;
export type OkAck = Ack;
/** `members` lists at most `ROSTER_MAX`, earliest first; `total` counts them all. */
export type RoomJoinAck = Ack<{
  room: string;
  self: Member;
  members: Member[];
  total: number;
  /** v1.1: the userIds typing now. */
  typing: string[];
}>;
export type RoomLeaveAck = Ack<{ room: string }>;
export type RoomUpdateAck = Ack<{ room: string; self: Member }>;
export type StatsWatchAck = Ack<Stats>;
export type PollAck = Ack<PollTallies>;
export type ActivityAck = Ack<{ state: ActivityState }>;
/** v1.1: `left` names the rooms the new identity may not be in, left first. */
export type SessionTokenAck = Ack<{ session: Session; left: string[] }>;
/** v1.1: who left the room in the last `RECENT_MS` and is not back, most recent first, at most 100. */
export type RoomRecentAck = Ack<{ room: string; recent: RecentLeaver[] }>;

/** v1.1: a member who left a room recently. */
export interface RecentLeaver {
  userId: string;
  name: string;
  /** Epoch ms of the leave. */
  leftAt: number;
  /** Ms from the member's `since` to its leave. */
  duration: number;
}

// server → client payloads
export interface RoomJoinedEvent {
  room: string;
  member: Member;
}
export interface RoomLeftEvent {
  room: string;
  userId: string;
  reason: LeaveReason;
  /** v1.1: ms from the member's `since` to its leave. */
  duration: number;
}
/** A large room's member count (instead of per-member events). */
export interface RoomCountEvent {
  room: string;
  total: number;
}
/** A room back below `ROSTER_MAX * 0.9`: its whole member list. */
export interface RoomSyncEvent {
  room: string;
  members: Member[];
  /** v1.1: the room's member count (`members` lists at most `ROSTER_MAX`). */
  total: number;
  /** v1.1: the userIds typing now. */
  typing: string[];
}
export interface RoomUpdatedEvent {
  room: string;
  member: Member;
  /** v1.1: the member with this id is gone and replaced by `member` (a sign-in or sign-out without reconnecting). */
  previousUserId?: string;
}
/** v1.1 `room:typing`, server → client: a member started or stopped typing. */
export interface RoomTypingEvent {
  room: string;
  userId: string;
  typing: boolean;
}

/**
 * Extension: the socket's token expired while it was connected. It was
 * removed from the rooms that need a token (`rooms`) and is treated as
 * anonymous for access from now on; reconnecting with a fresh token restores it.
 */
export interface SessionExpiredEvent {
  rooms: string[];
}

/**
 * Extension: an operator took this socket's user out of `room` (`POST
 * /api/disconnect` with a `room`). The socket is no longer a member and
 * hears nothing more of the room; it stays connected, and may join again.
 */
export interface RoomRemovedEvent {
  room: string;
}

/** A small room's member list digest, after the list changed (an extension; see `rosterDigest`). */
export interface RoomDigestEvent {
  room: string;
  digest: string;
}

type AckFn<T> = (ack: T) => void;

/** Events the client sends, for `Socket<ServerToClientEvents, ClientToServerEvents>` on the client. */
export interface ClientToServerEvents {
  'page:enter': (payload: PagePayload, ack?: AckFn<PageEnterAck>) => void;
  'page:leave': (payload: PagePayload, ack?: AckFn<PageLeaveAck>) => void;
  'page:watch': (payload: PageWatchPayload, ack?: AckFn<PageWatchAck>) => void;
  'page:unwatch': (payload: PagesPayload, ack?: AckFn<OkAck>) => void;
  'room:join': (payload: RoomJoinPayload, ack?: AckFn<RoomJoinAck>) => void;
  'room:leave': (payload: RoomPayload, ack?: AckFn<RoomLeaveAck>) => void;
  'room:update': (payload: RoomUpdatePayload, ack?: AckFn<RoomUpdateAck>) => void;
  'stats:watch': (payload: StatsWatchPayload, ack?: AckFn<StatsWatchAck>) => void;
  'stats:unwatch': (payload: EmptyPayload, ack?: AckFn<OkAck>) => void;
  'poll:watch': (payload: PollPayload, ack?: AckFn<PollAck>) => void;
  'poll:unwatch': (payload: PollPayload, ack?: AckFn<OkAck>) => void;
  'poll:vote': (payload: PollVotePayload, ack?: AckFn<PollAck>) => void;
  'presence:activity': (payload: ActivityPayload, ack?: AckFn<ActivityAck>) => void;
  'room:typing': (payload: RoomTypingPayload, ack?: AckFn<OkAck>) => void;
  'session:token': (payload: SessionTokenPayload, ack?: AckFn<SessionTokenAck>) => void;
  'room:recent': (payload: RoomPayload, ack?: AckFn<RoomRecentAck>) => void;
}

/** Events the server pushes. */
export interface ServerToClientEvents {
  session: (session: Session) => void;
  'page:count': (counts: PageCounts) => void;
  'room:joined': (event: RoomJoinedEvent) => void;
  'room:left': (event: RoomLeftEvent) => void;
  'room:updated': (event: RoomUpdatedEvent) => void;
  stats: (stats: Stats) => void;
  'poll:tally': (tallies: PollTallies) => void;
  'session:expired': (event: SessionExpiredEvent) => void;
  'room:removed': (event: RoomRemovedEvent) => void;
  'room:digest': (event: RoomDigestEvent) => void;
  'room:count': (event: RoomCountEvent) => void;
  'room:sync': (event: RoomSyncEvent) => void;
  'room:typing': (event: RoomTypingEvent) => void;
}

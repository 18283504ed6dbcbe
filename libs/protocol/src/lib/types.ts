import type { AckError } from './errors';

/** A JSON value, as `meta` may hold. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Session {
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
}

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

// client → server payloads
export interface PagePayload {
  page: string;
}
export interface PagesPayload {
  pages: string[];
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
export type RoomJoinAck = Ack<{ room: string; self: Member; members: Member[]; total: number }>;
export type RoomLeaveAck = Ack<{ room: string }>;
export type RoomUpdateAck = Ack<{ room: string; self: Member }>;
export type StatsWatchAck = Ack<Stats>;
export type PollAck = Ack<PollTallies>;

// server → client payloads
export interface RoomJoinedEvent {
  room: string;
  member: Member;
}
export interface RoomLeftEvent {
  room: string;
  userId: string;
  reason: LeaveReason;
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
}
export interface RoomUpdatedEvent {
  room: string;
  member: Member;
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
  'page:watch': (payload: PagesPayload, ack?: AckFn<PageWatchAck>) => void;
  'page:unwatch': (payload: PagesPayload, ack?: AckFn<OkAck>) => void;
  'room:join': (payload: RoomJoinPayload, ack?: AckFn<RoomJoinAck>) => void;
  'room:leave': (payload: RoomPayload, ack?: AckFn<RoomLeaveAck>) => void;
  'room:update': (payload: RoomUpdatePayload, ack?: AckFn<RoomUpdateAck>) => void;
  'stats:watch': (payload: EmptyPayload, ack?: AckFn<StatsWatchAck>) => void;
  'stats:unwatch': (payload: EmptyPayload, ack?: AckFn<OkAck>) => void;
  'poll:watch': (payload: PollPayload, ack?: AckFn<PollAck>) => void;
  'poll:unwatch': (payload: PollPayload, ack?: AckFn<OkAck>) => void;
  'poll:vote': (payload: PollVotePayload, ack?: AckFn<PollAck>) => void;
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
}

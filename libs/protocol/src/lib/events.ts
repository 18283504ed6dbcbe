/**
 * Every event name of the presence protocol, v1 and v1.1. Client→server events take an
 * ack callback; server→client events are pushed.
 */
export const Events = {
  // server → client
  Session: 'session',
  PageCount: 'page:count',
  RoomJoined: 'room:joined',
  RoomLeft: 'room:left',
  RoomUpdated: 'room:updated',
  Stats: 'stats',
  PollTally: 'poll:tally',
  RoomCount: 'room:count',
  RoomSync: 'room:sync',
  // extension: the session token expired while connected
  SessionExpired: 'session:expired',
  // extension: an operator took this socket's user out of a room (POST /api/disconnect with a room)
  RoomRemoved: 'room:removed',
  // extension: the digest of a small room's member list, after it changed (see rosterDigest)
  RoomDigest: 'room:digest',
  // v1.1, server → client (`room:typing` is also a client event)
  RoomTyping: 'room:typing',
  // client → server
  PageEnter: 'page:enter',
  PageLeave: 'page:leave',
  PageWatch: 'page:watch',
  PageUnwatch: 'page:unwatch',
  RoomJoin: 'room:join',
  RoomLeave: 'room:leave',
  RoomUpdate: 'room:update',
  StatsWatch: 'stats:watch',
  StatsUnwatch: 'stats:unwatch',
  // extension: live polls (click counters the server keeps)
  PollWatch: 'poll:watch',
  PollUnwatch: 'poll:unwatch',
  PollVote: 'poll:vote',
  // v1.1, client → server
  PresenceActivity: 'presence:activity',
  SessionToken: 'session:token',
  RoomRecent: 'room:recent',
} as const;

export type EventName = (typeof Events)[keyof typeof Events];

/** The events a client may send, each answered through its ack callback. */
export const CLIENT_EVENTS = [
  Events.PageEnter,
  Events.PageLeave,
  Events.PageWatch,
  Events.PageUnwatch,
  Events.RoomJoin,
  Events.RoomLeave,
  Events.RoomUpdate,
  Events.StatsWatch,
  Events.StatsUnwatch,
  Events.PollWatch,
  Events.PollUnwatch,
  Events.PollVote,
  Events.PresenceActivity,
  Events.RoomTyping,
  Events.SessionToken,
  Events.RoomRecent,
] as const;

export type ClientEventName = (typeof CLIENT_EVENTS)[number];

const clientEvents: ReadonlySet<string> = new Set(CLIENT_EVENTS);

/** `room:typing` goes both ways: a client's own typing, and the room's members starting and stopping. */
export function isClientEvent(name: unknown): name is ClientEventName {
  return typeof name === 'string' && clientEvents.has(name);
}

/** The namespace every Presently socket connects to. */
export const PRESENCE_NAMESPACE = '/presence';

import type { Identity } from '@presently/presence-core';
import type { PresenceNamespace } from './presence-socket';

/**
 * Socket.IO room names. A socket is in a page's channel while it entered or
 * watches the page, in a room's channel while it is a member: those, the
 * stats and the polls' channels carry announcements. A hidden socket is in
 * none of them (see `PassiveSockets`): it is in a hidden room channel
 * instead of each room's, which emits to the room reach but no
 * announcement.
 */
export const pageChannel = (page: string) => `p:${page}`;
/**
 * The sockets that watch a page at a slower rate than its own (`every`, ms)
 * and did not enter it: one channel per (page, rate) class.
 */
export const ratedPageChannel = (page: string, every: number) => `e:${every}:${page}`;
export const roomChannel = (room: string) => `r:${room}`;
export const STATS_CHANNEL = 's:stats';
/** The sockets that watch the stats at a slower rate than their own (`every`, ms). */
export const ratedStatsChannel = (every: number) => `s:stats:${every}`;
export const pollChannel = (poll: string) => `v:${poll}`;
/** A hidden socket's membership of a room (server-side emits to the room reach it, announcements do not). */
export const hiddenRoomChannel = (room: string) => `h:${room}`;
/** Both channels a member of `room` may be in: what an emit to the room reaches, and what leaving it leaves. */
export const roomChannels = (room: string) => [roomChannel(room), hiddenRoomChannel(room)];

const RATED_STATS = `${STATS_CHANNEL}:`;

/**
 * What a channel is to a socket that goes hidden: `room` (it moves to the
 * room's hidden channel), `announcements` (it leaves it: a page's, a (page,
 * rate) or (stats, rate) class's, the stats', a poll's) or `kept` (emits
 * to a user or a role, its own channel).
 */
export function channelKind(channel: string): 'room' | 'announcements' | 'kept' {
  const prefix = channel.slice(0, 2);
  if (prefix === 'r:') return 'room';
  if (prefix === 'p:' || prefix === 'v:' || prefix === 'e:') return 'announcements';
  return channel === STATS_CHANNEL || channel.startsWith(RATED_STATS) ? 'announcements' : 'kept';
}

/** Every socket of a signed-in user (server-side emit `to: { users }`). */
export const userChannel = (userId: string) => `u:${userId}`;
/** Every socket whose token grants the role (server-side emit `to: { role }`). */
export const roleChannel = (role: string) => `g:${role}`;

/** The channels server-side emits reach a socket of `identity` through: its user's and its roles', none for an anonymous visitor. */
export const identityChannels = (identity: Identity): string[] =>
  identity.authenticated ? [userChannel(identity.userId), ...identity.roles.map(roleChannel)] : [];

const PREFIXES = { page: 'p:', room: 'r:' } as const;

const RATED_PAGE = 'e:';

/**
 * The pages (or rooms) that this process's sockets follow, read off the
 * namespace's channels (a page watched at a slower rate included; a page may
 * come more than once). O(channels): for a resynchronisation, not a hot path.
 */
export function* followedChannels(namespace: PresenceNamespace, kind: keyof typeof PREFIXES): Iterable<string> {
  const prefix = PREFIXES[kind];
  for (const [channel, sockets] of namespace.adapter.rooms) {
    if (sockets.size === 0) continue;
    if (channel.startsWith(prefix)) yield channel.slice(prefix.length);
    else if (kind === 'page' && channel.startsWith(RATED_PAGE)) yield channel.slice(channel.indexOf(':', RATED_PAGE.length) + 1);
  }
}

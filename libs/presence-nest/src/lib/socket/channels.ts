import type { Identity } from '@presently/presence-core';
import type { PresenceNamespace } from './presence-socket';

/**
 * Socket.IO room names. A socket is in a page's channel while it entered or
 * watches the page, in a room's channel while it is a member.
 */
export const pageChannel = (page: string) => `p:${page}`;
export const roomChannel = (room: string) => `r:${room}`;
export const STATS_CHANNEL = 's:stats';
export const pollChannel = (poll: string) => `v:${poll}`;
/** Every socket of a signed-in user (server-side emit `to: { users }`). */
export const userChannel = (userId: string) => `u:${userId}`;
/** Every socket whose token grants the role (server-side emit `to: { role }`). */
export const roleChannel = (role: string) => `g:${role}`;

/** The channels server-side emits reach a socket of `identity` through: its user's and its roles', none for an anonymous visitor. */
export const identityChannels = (identity: Identity): string[] =>
  identity.authenticated ? [userChannel(identity.userId), ...identity.roles.map(roleChannel)] : [];

const PREFIXES = { page: 'p:', room: 'r:' } as const;

/**
 * The pages (or rooms) that this process's sockets follow, read off the
 * namespace's channels. O(channels): for a resynchronisation, not a hot path.
 */
export function* followedChannels(namespace: PresenceNamespace, kind: keyof typeof PREFIXES): Iterable<string> {
  const prefix = PREFIXES[kind];
  for (const [channel, sockets] of namespace.adapter.rooms) {
    if (sockets.size > 0 && channel.startsWith(prefix)) yield channel.slice(prefix.length);
  }
}

import type { Member } from '@presently/protocol';
import type { RoomEvent } from './types';

/**
 * Member lists as values: every function returns a new frozen array when
 * something changed (and the same array when nothing did), and never mutates
 * its input, so that subscribers can compare lists by identity.
 */
export type Members = readonly Member[];

export const NO_MEMBERS: Members = Object.freeze([]);

/** A list taken over from the server (a join ack, a `room:sync`). */
export function membersOf(list: readonly Member[]): Members {
  return list.length === 0 ? NO_MEMBERS : Object.freeze([...list]);
}

/** Adds a member, or replaces the one with the same userId in its place. */
export function upsertMember(members: Members, member: Member): Members {
  const index = members.findIndex((m) => m.userId === member.userId);
  if (index < 0) return Object.freeze([...members, member]);
  const next = [...members];
  next[index] = member;
  return Object.freeze(next);
}

/**
 * The member `previousUserId` is replaced by `member` in its place (a sign-in
 * or sign-out without reconnecting). An entry `member` already had elsewhere
 * goes; without `previousUserId` in the list it is an upsert.
 */
export function replaceMember(members: Members, previousUserId: string, member: Member): Members {
  const index = members.findIndex((m) => m.userId === previousUserId);
  if (index < 0) return upsertMember(members, member);
  const next: Member[] = [];
  members.forEach((m, i) => {
    if (i === index) next.push(member);
    else if (m.userId !== member.userId) next.push(m);
  });
  return Object.freeze(next);
}

export function removeMember(members: Members, userId: string): Members {
  if (!members.some((m) => m.userId === userId)) return members;
  return membersOf(members.filter((m) => m.userId !== userId));
}

/** The list after one of `room:joined`, `room:left`, `room:updated` (a replacement included), or this client's removal. */
export function applyRoomEvent(members: Members, event: RoomEvent): Members {
  switch (event.type) {
    case 'joined':
      return upsertMember(members, event.member);
    case 'updated':
      return event.previousUserId === undefined ? upsertMember(members, event.member) : replaceMember(members, event.previousUserId, event.member);
    case 'left':
      return removeMember(members, event.userId);
    case 'removed':
      return NO_MEMBERS;
  }
}

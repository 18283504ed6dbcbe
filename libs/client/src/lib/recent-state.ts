import { RECENT_MAX, type RecentLeaver } from '@presently/protocol';

/**
 * Who left a room recently, as a value: most recent first (`leftAt`
 * descending), at most `RECENT_MAX`, one entry per user; a new frozen array
 * on every change and the same array when nothing changed.
 */
export type Recent = readonly RecentLeaver[];

export const NOBODY_RECENT: Recent = Object.freeze([]);

/** A list taken over from the server (a `room:recent` answer). */
export function recentOf(list: readonly RecentLeaver[]): Recent {
  return list.length === 0 ? NOBODY_RECENT : Object.freeze(list.map(({ userId, name, leftAt, duration }) => ({ userId, name, leftAt, duration })));
}

/** Adds someone who just left, in its place by `leftAt`, replacing an older entry of the same user. */
export function withLeaver(recent: Recent, leaver: RecentLeaver): Recent {
  const others = recent.filter((entry) => entry.userId !== leaver.userId);
  const index = others.findIndex((entry) => entry.leftAt < leaver.leftAt);
  const next = index < 0 ? [...others, leaver] : [...others.slice(0, index), leaver, ...others.slice(index)];
  return Object.freeze(next.slice(0, RECENT_MAX));
}

/** `userId` is back (or was never gone): no longer a recent leaver. */
export function withoutLeaver(recent: Recent, userId: string): Recent {
  if (!recent.some((entry) => entry.userId === userId)) return recent;
  return recentOf(recent.filter((entry) => entry.userId !== userId));
}

/** Only those who left after `since` (the window's start). */
export function leftSince(recent: Recent, since: number): Recent {
  if (recent.every((entry) => entry.leftAt > since)) return recent;
  return recentOf(recent.filter((entry) => entry.leftAt > since));
}

/**
 * Who is typing in a room, as a value: the userIds in the order they
 * started, a new frozen array on every change and the same array when
 * nothing changed (like the member lists of `room-state.ts`). This client's
 * own user is never listed: its typing is known here, and the server tells
 * a socket nothing of its own.
 */
export type Typing = readonly string[];

export const NOBODY_TYPING: Typing = Object.freeze([]);

/** A list taken over from the server (a join ack, a `room:sync`), without `self`. */
export function typingOf(userIds: readonly string[] | undefined, self: string | null): Typing {
  const others = (userIds ?? []).filter((userId, index, all) => userId !== self && all.indexOf(userId) === index);
  return others.length === 0 ? NOBODY_TYPING : Object.freeze(others);
}

/** A `room:typing`: `userId` started or stopped. */
export function withTyping(typing: Typing, userId: string, on: boolean, self: string | null): Typing {
  const listed = typing.includes(userId);
  if (on) return listed || userId === self ? typing : Object.freeze([...typing, userId]);
  return listed ? withoutTyping(typing, userId) : typing;
}

/** `userId` is no longer typing (it left, or was replaced). */
export function withoutTyping(typing: Typing, userId: string): Typing {
  if (!typing.includes(userId)) return typing;
  const others = typing.filter((id) => id !== userId);
  return others.length === 0 ? NOBODY_TYPING : Object.freeze(others);
}

import type { RemovedReason, RoomEvent } from '@presently/client';
import { ANONYMOUS_ID_PREFIX, type Member } from '@presently/protocol';
import { messageOf } from './chat-message';

/** One line of the chat's activity feed. */
export interface Activity {
  id: number;
  /** Epoch milliseconds it was seen. */
  at: number;
  kind: 'joined' | 'left' | 'status' | 'renamed' | 'signed-in' | 'removed' | 'message';
  /** Who it is about, as the feed knew them. */
  name: string;
  /** What happened, after the name: "joined", "is now busy"; for a message, what they said. */
  text: string;
  /** The member's status after the change, for its dot. */
  status: string | null;
}

export type ActivityDraft = Omit<Activity, 'id' | 'at'>;

/** What the feed remembers of a member to name them and spot what changed. */
export interface KnownMember {
  name: string;
  status: string;
  /** When the member's last message seen was sent (see `chat-message.ts`). */
  messageAt?: number;
}

/** At most this many lines are kept, newest first. */
export const FEED_LIMIT = 30;

const LEFT_TEXT: Record<string, string> = {
  leave: 'left',
  disconnect: 'left (connection closed)',
  'node-down': 'left (server went down)',
};

const REMOVED_TEXT: Record<RemovedReason, string> = {
  moderation: 'were removed from this room by a moderator',
  identity: 'left this room: it needs a sign-in you no longer have',
};

/**
 * The feed lines a room event makes, given what was known of the members
 * before it: a status change and a rename are told apart; an update that
 * changed neither (meta only, or activity) makes no line; a new message in
 * the member's meta is a line of its own; a member replaced by a sign-in or
 * sign-out without reconnecting is one line (none when a signed-in member is
 * replaced by another signed-in id under the same name: a renewed token).
 */
export function describe(event: RoomEvent, known: ReadonlyMap<string, KnownMember>): ActivityDraft[] {
  switch (event.type) {
    case 'joined':
      return [{ kind: 'joined', name: event.member.name, text: 'joined', status: event.member.status }];
    case 'left': {
      const name = known.get(event.userId)?.name ?? 'Someone';
      return [{ kind: 'left', name, text: LEFT_TEXT[event.reason] ?? 'left', status: null }];
    }
    case 'removed':
      return [{ kind: 'removed', name: 'You', text: REMOVED_TEXT[event.reason], status: null }];
    case 'updated': {
      const { member } = event;
      if (event.previousUserId !== undefined) {
        const name = known.get(event.previousUserId)?.name ?? 'Someone';
        const signedOut = member.userId.startsWith(ANONYMOUS_ID_PREFIX);
        // A signed-in member under the same name with a fresh token (a demo token renewed): nothing to tell.
        if (!signedOut && !event.previousUserId.startsWith(ANONYMOUS_ID_PREFIX) && name === member.name) return [];
        const text = signedOut ? `signed out (now ${member.name})` : `signed in as ${member.name}`;
        return [{ kind: 'signed-in', name, text, status: member.status }];
      }
      const before = known.get(member.userId);
      const lines: ActivityDraft[] = [];
      if (before && before.name !== member.name) {
        lines.push({ kind: 'renamed', name: before.name, text: `is now called ${member.name}`, status: member.status });
      }
      if (!before || before.status !== member.status) {
        lines.push({ kind: 'status', name: member.name, text: `is now ${member.status}`, status: member.status });
      }
      const message = messageOf(member);
      if (message && message.at !== before?.messageAt) {
        lines.push({ kind: 'message', name: member.name, text: message.text, status: member.status });
      }
      return lines;
    }
  }
}

/** What the feed knows after an event. */
export function remember(known: Map<string, KnownMember>, event: RoomEvent): void {
  if (event.type === 'left') known.delete(event.userId);
  else if (event.type === 'removed') known.clear();
  else {
    if (event.type === 'updated' && event.previousUserId !== undefined) known.delete(event.previousUserId);
    known.set(event.member.userId, knownAs(event.member));
  }
}

function knownAs(member: Member): KnownMember {
  const message = messageOf(member);
  return { name: member.name, status: member.status, ...(message && { messageAt: message.at }) };
}

/**
 * Learns members first seen in a member list (the join's snapshot), keeping
 * what events taught: a message said before this page joined is not news.
 */
export function learn(known: Map<string, KnownMember>, members: readonly Member[]): void {
  for (const member of members) {
    if (!known.has(member.userId)) known.set(member.userId, knownAs(member));
  }
}

/** Prepends lines (newest first), keeping at most `limit`. */
export function prepend(feed: readonly Activity[], lines: readonly Activity[], limit = FEED_LIMIT): Activity[] {
  return [...[...lines].reverse(), ...feed].slice(0, limit);
}

import { META_MAX_BYTES, type Member } from '@presently/protocol';

/**
 * The chat's messages. Presently is presence, not a message store, and the
 * demo has no backend of its own: a message travels as its sender's last
 * message in their member `meta` (`{ message: { text, at } }`), so the
 * room's other sockets hear it as a `room:updated`. A real application sends
 * messages through its own backend and keeps Presently for who is here and
 * who is typing.
 */
export interface ChatMessage {
  text: string;
  /** When the sender sent it (their clock, epoch ms): what tells one message from the next. */
  at: number;
}

/** At most this many characters (UTF-16 code units) per message. */
export const MESSAGE_MAX = 280;

/** The member meta that carries `message`. */
export function messageMeta(message: ChatMessage): { message: { text: string; at: number } } {
  return { message: { text: message.text, at: message.at } };
}

/** Whether `meta` fits in the protocol's limit (1 KiB of UTF-8 JSON). */
export function fitsMeta(meta: object): boolean {
  return new TextEncoder().encode(JSON.stringify(meta)).length <= META_MAX_BYTES;
}

/** A typed message as it is sent: spaces folded and trimmed; `null` when nothing is left. */
export function normalizeMessage(raw: string): string | null {
  const text = raw.replace(/\s+/g, ' ').trim().slice(0, MESSAGE_MAX);
  return text || null;
}

/**
 * The last message a member's meta carries, or `null`. Meta comes from other
 * browsers: anything but a short string and a finite time is ignored.
 */
export function messageOf(member: Pick<Member, 'meta'>): ChatMessage | null {
  const message: unknown = member.meta?.['message'];
  if (typeof message !== 'object' || message === null) return null;
  const { text, at } = message as { text?: unknown; at?: unknown };
  if (typeof text !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return null;
  const shown = text.trim();
  return shown && shown.length <= MESSAGE_MAX ? { text: shown, at } : null;
}

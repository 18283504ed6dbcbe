import type { LeaveReason, Member } from './types';

/**
 * v1.1 webhooks: what a server with `WEBHOOK_URL` POSTs to it, and the rules
 * of that delivery. Each request's body is a {@link WebhookBatch}, signed in
 * {@link WEBHOOK_SIGNATURE_HEADER} (`sha256=<hex>`, the HMAC-SHA256 with
 * `WEBHOOK_SECRET` of `<timestamp>.<raw body>`, the timestamp being
 * {@link WEBHOOK_TIMESTAMP_HEADER}).
 */

/** The event types, by name. */
export const WebhookTypes = {
  MemberJoined: 'room.member_joined',
  MemberLeft: 'room.member_left',
  RoomOccupied: 'room.occupied',
  RoomVacated: 'room.vacated',
  PageOccupied: 'page.occupied',
  PageVacated: 'page.vacated',
} as const;

export type WebhookType = (typeof WebhookTypes)[keyof typeof WebhookTypes];

/** Each type's `data`. */
export interface WebhookData {
  /** A user's first connection anywhere joined the room (large rooms included). */
  'room.member_joined': { room: string; member: Member };
  /** A user's last connection left the room: at once for a leave, once its grace ran out for a disconnect. */
  'room.member_left': { room: string; userId: string; reason: LeaveReason; duration: number };
  /** The room's first member joined (before that member's `room.member_joined`). */
  'room.occupied': { room: string };
  /** The room's last member left (after that member's `room.member_left`). */
  'room.vacated': { room: string };
  /** The page's first viewer arrived. */
  'page.occupied': { page: string };
  /** The page's last viewer left (for a disconnect, once its grace ran out). */
  'page.vacated': { page: string };
}

/** One event: `id` unique across the cluster (receivers dedupe by it), `at` in epoch milliseconds. */
export type WebhookEvent = {
  [T in WebhookType]: { id: string; type: T; at: number; data: WebhookData[T] };
}[WebhookType];

/** A request's JSON body. */
export interface WebhookBatch {
  events: WebhookEvent[];
}

/** Epoch seconds at which the request was signed. */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-presently-timestamp';
/** `sha256=<hex>`: HMAC-SHA256 with `WEBHOOK_SECRET` of `<timestamp>.<raw body>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-presently-signature';
/** Events in one request, at most. */
export const WEBHOOK_BATCH_MAX = 100;
/** At most one request per this many ms per process while events wait. */
export const WEBHOOK_INTERVAL_MS = 1000;
/** A request without an answer within this time failed (and is retried). */
export const WEBHOOK_TIMEOUT_MS = 5000;
/** A batch that keeps failing is retried for this long, then dropped. */
export const WEBHOOK_RETRY_WINDOW_MS = 600_000;
/** Events waiting per process, at most; past it the oldest are dropped. */
export const WEBHOOK_QUEUE_MAX = 10_000;

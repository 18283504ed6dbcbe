import { z } from 'zod';
import { ErrorCodes } from './errors';
import { Events } from './events';
import { KEY_MAX_LENGTH } from './limits';
import type { Json } from './types';
import { inspectPayload, keySchema, text, userIdSchema, type Validation } from './validation';

/**
 * Event names Socket.IO gives a meaning to: the v4 reserved names (its
 * `emit` throws for them) and the connection events earlier clients emitted
 * on the socket itself.
 */
export const SOCKET_IO_EVENTS: readonly string[] = [
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'error',
  'connecting',
  'connect_timeout',
  'reconnect',
  'reconnect_attempt',
  'reconnecting',
  'reconnect_error',
  'reconnect_failed',
  'ping',
  'pong',
];

/** Server→client events of the contract that are not in {@link Events} yet (large rooms). */
const CONTRACT_ONLY_EVENTS = ['room:count', 'room:sync'];

const reserved: ReadonlySet<string> = new Set([...SOCKET_IO_EVENTS, ...Object.values(Events), ...CONTRACT_ONLY_EVENTS]);

/** Whether an application may not send an event of this name (`POST /api/emit`, `PresenceEmitter`). */
export function isReservedEventName(name: string): boolean {
  return reserved.has(name);
}

/** Longest event name an application may send, in UTF-16 code units. */
export const EMIT_EVENT_MAX_LENGTH = 128;
/** Most userIds one emit may name. */
export const EMIT_USERS_MAX = 1000;

/** Who receives an emitted event: exactly one of these. */
export type EmitTarget = { all: true } | { users: string[] } | { role: string } | { room: string };

/** The body of `POST /api/emit`. */
export interface EmitRequest {
  event: string;
  /** Sent as `null` when omitted. */
  data: Json;
  to: EmitTarget;
}

export const emitEventSchema = text(EMIT_EVENT_MAX_LENGTH).refine((name) => !isReservedEventName(name), {
  message: 'is reserved (a Socket.IO or protocol event)',
});

const targetSchemas = {
  all: z.literal(true),
  users: z.array(userIdSchema).min(1).max(EMIT_USERS_MAX),
  role: text(KEY_MAX_LENGTH),
  room: keySchema,
} as const;

type TargetKey = keyof typeof targetSchemas;

function bad(message: string): { ok: false; error: { code: typeof ErrorCodes.BadRequest; message: string } } {
  return { ok: false, error: { code: ErrorCodes.BadRequest, message } };
}

/** Validates a target: an object with exactly one of `all`, `users`, `role`, `room`. */
export function validateEmitTarget(input: unknown): Validation<EmitTarget> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('to: must be an object');
  const keys = Object.keys(input);
  if (keys.length !== 1 || !(keys[0] in targetSchemas)) {
    return bad('to: must have exactly one of all, users, role, room');
  }
  const key = keys[0] as TargetKey;
  const result = targetSchemas[key].safeParse((input as Record<string, unknown>)[key]);
  if (!result.success) {
    const issue = result.error.issues[0];
    return bad(`to.${[key, ...issue.path].join('.')}: ${issue.message}`);
  }
  return { ok: true, value: { [key]: result.data } as EmitTarget };
}

/**
 * Validates an emit request from an untrusted body: JSON values only (no
 * prototype keys, bounded nesting), an event name that is not reserved,
 * exactly one target. Unknown top-level fields are ignored; a missing `data`
 * is `null`. Every failure is `BAD_REQUEST`.
 *
 * @example
 * const v = validateEmitRequest(body);
 * if (!v.ok) throw badRequest(v.error.message);
 */
export function validateEmitRequest(input: unknown): Validation<EmitRequest> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('the body must be a JSON object');
  const problem = inspectPayload(input);
  if (problem) return bad(problem);
  const body = input as Record<string, unknown>;
  if (body.event === undefined) return bad('event: is required');
  const event = emitEventSchema.safeParse(body.event);
  if (!event.success) return bad(`event: ${event.error.issues[0].message}`);
  if (body.to === undefined) return bad('to: is required');
  const to = validateEmitTarget(body.to);
  if (!to.ok) return to;
  return { ok: true, value: { event: event.data, data: (body.data ?? null) as Json, to: to.value } };
}

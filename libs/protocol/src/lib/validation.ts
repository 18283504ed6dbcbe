import { z } from 'zod';
import { isBlank, isShowableInline } from './display-text';
import { ErrorCodes, type ErrorBody, type ErrorCode } from './errors';
import { Events, type ClientEventName } from './events';
import {
  ANONYMOUS_ID_PREFIX,
  CLIENT_ID_PATTERN,
  KEY_MAX_LENGTH,
  META_MAX_BYTES,
  NAME_MAX_LENGTH,
  PAYLOAD_MAX_DEPTH,
  POLL_OPTION_PATTERN,
  STATUS_MAX_LENGTH,
  USER_ID_MAX_LENGTH,
  WATCH_BATCH_MAX,
  ACTIVITY_STATES,
  PAGE_EVERY_VALUES,
  STATS_EVERY_VALUES,
} from './limits';
import type {
  ActivityPayload,
  EmptyPayload,
  PageWatchPayload,
  RoomTypingPayload,
  SessionTokenPayload,
  StatsWatchPayload,
  JsonObject,
  PagePayload,
  PagesPayload,
  PollPayload,
  PollVotePayload,
  RoomJoinPayload,
  RoomPayload,
  RoomUpdatePayload,
} from './types';

/**
 * The single place that decides what input is valid. Every validator answers
 * with a value or an error body carrying the protocol's code: malformed input
 * is `BAD_REQUEST`, input over a size or count limit is `LIMIT_EXCEEDED`.
 */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const limitExceeded = { code: ErrorCodes.LimitExceeded };
// Unicode category Cc: C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a string is free of control characters (Unicode category Cc). */
export const noControlChars = (s: string) => !CONTROL_CHARS.test(s);

/**
 * A string of 1–`max` UTF-16 code units (JavaScript's `length`; zod's own
 * `.max()` counts code points) without control characters.
 */
export function text(max: number, base: z.ZodString = z.string()) {
  return base
    .refine((s) => s.length > 0, { message: 'must not be empty', abort: true })
    .refine((s) => s.length <= max, { message: `must be at most ${max} characters`, abort: true })
    .refine(noControlChars, 'must not contain control characters');
}

/**
 * Text that others are shown (a name, a status): normalised to NFC first, so
 * that its length and any comparison are those of the normalised form; then
 * 1–`max` UTF-16 code units without control characters, bidi controls or
 * line separators, and not blank once invisible characters are removed.
 */
export function shownText(max: number) {
  return text(max, z.string().normalize('NFC'))
    .refine(isShowableInline, 'must not contain bidirectional controls or line separators')
    .refine((s) => !isBlank(s), 'must not be blank or invisible');
}

/** A page or room key: 1–512 UTF-16 code units, no control characters; an identifier, taken as given. */
export const keySchema = text(KEY_MAX_LENGTH);
export const clientIdSchema = z.string().regex(CLIENT_ID_PATTERN);
export const nameSchema = shownText(NAME_MAX_LENGTH);
export const statusSchema = shownText(STATUS_MAX_LENGTH);
export const userIdSchema = text(USER_ID_MAX_LENGTH);

/** Bytes of a string encoded as UTF-8, without allocating. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

export const metaSchema = z
  .record(z.string(), z.json())
  .refine((meta) => utf8Length(JSON.stringify(meta)) <= META_MAX_BYTES, {
    message: `must be at most ${META_MAX_BYTES} bytes as JSON`,
    params: limitExceeded,
  }) as unknown as z.ZodType<JsonObject>;

export const profileSchema = z.object({
  name: nameSchema.optional(),
  status: statusSchema.optional(),
  meta: metaSchema.optional(),
});

const pagesSchema = z
  .array(z.unknown())
  .min(1)
  .refine((pages) => pages.length <= WATCH_BATCH_MAX, {
    message: `at most ${WATCH_BATCH_MAX} pages at once`,
    params: limitExceeded,
    abort: true,
  })
  .pipe(z.array(keySchema));

/** One of a fixed list of rates (`every`, ms); anything else is `BAD_REQUEST`. */
function everySchema(values: readonly number[]) {
  return z.number().refine((every) => values.includes(every), `must be one of ${values.join(', ')}`);
}

/** A session token as `session:token` carries it: a JWT (at most 8 KiB), or null to sign out; an empty string is a bad token. */
const tokenSchema = z.string().max(8192).nullable();

export const payloadSchemas = {
  [Events.PageEnter]: z.object({ page: keySchema }),
  [Events.PageLeave]: z.object({ page: keySchema }),
  [Events.PageWatch]: z.object({ pages: pagesSchema, every: everySchema(PAGE_EVERY_VALUES).optional() }),
  [Events.PageUnwatch]: z.object({ pages: pagesSchema }),
  [Events.RoomJoin]: z.object({ room: keySchema, profile: profileSchema.optional() }),
  [Events.RoomLeave]: z.object({ room: keySchema }),
  [Events.RoomUpdate]: z.object({ room: keySchema, profile: profileSchema }),
  [Events.StatsWatch]: z.object({ every: everySchema(STATS_EVERY_VALUES).optional() }),
  [Events.StatsUnwatch]: z.object({}),
  [Events.PollWatch]: z.object({ poll: keySchema }),
  [Events.PollUnwatch]: z.object({ poll: keySchema }),
  [Events.PollVote]: z.object({ poll: keySchema, option: z.string().regex(POLL_OPTION_PATTERN) }),
  [Events.PresenceActivity]: z.object({ state: z.enum(ACTIVITY_STATES) }),
  [Events.RoomTyping]: z.object({ room: keySchema, typing: z.boolean() }),
  [Events.SessionToken]: z.object({ token: tokenSchema }),
  [Events.RoomRecent]: z.object({ room: keySchema }),
} satisfies Record<ClientEventName, z.ZodType>;

/** The validated payload of each client event. */
export interface PayloadOf {
  'page:enter': PagePayload;
  'page:leave': PagePayload;
  'page:watch': PageWatchPayload;
  'page:unwatch': PagesPayload;
  'room:join': RoomJoinPayload;
  'room:leave': RoomPayload;
  'room:update': RoomUpdatePayload;
  'stats:watch': StatsWatchPayload;
  'stats:unwatch': EmptyPayload;
  'poll:watch': PollPayload;
  'poll:unwatch': PollPayload;
  'poll:vote': PollVotePayload;
  'presence:activity': ActivityPayload;
  'room:typing': RoomTypingPayload;
  'session:token': SessionTokenPayload;
  'room:recent': RoomPayload;
}

/**
 * Rejects what no schema should have to walk: binary attachments and other
 * objects that are not plain JSON, nesting deeper than `PAYLOAD_MAX_DEPTH`,
 * and keys that could reach an object's prototype. Iterative, so hostile
 * nesting cannot exhaust the stack.
 */
export function inspectPayload(input: unknown, maxDepth = PAYLOAD_MAX_DEPTH): string | null {
  const stack: Array<[unknown, number]> = [[input, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'only JSON values are accepted (no binary data)';
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `key "${key}" is not allowed`;
      stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return null;
}

function describe(error: z.ZodError): ErrorBody {
  const issue = error.issues[0];
  const code = ((issue as { params?: { code?: ErrorCode } }).params?.code ?? ErrorCodes.BadRequest) as ErrorCode;
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { code, message: `${path}${issue.message}` };
}

/** Validates any input against a schema, with the protocol's error codes. */
export function validate<T>(schema: z.ZodType<T>, input: unknown): Validation<T> {
  const problem = inspectPayload(input);
  if (problem) return { ok: false, error: { code: ErrorCodes.BadRequest, message: problem } };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: describe(result.error) };
}

/**
 * Validates the payload of a client event.
 *
 * @example
 * const v = validatePayload('page:enter', data);
 * if (!v.ok) return { ok: false, error: v.error };
 */
export function validatePayload<E extends ClientEventName>(event: E, input: unknown): Validation<PayloadOf[E]> {
  return validate(payloadSchemas[event] as unknown as z.ZodType<PayloadOf[E]>, input);
}

/** Claims of a session token, after its signature and times were verified. */
export const tokenClaimsSchema = z.object({
  // Anonymous visitors' ids start with `a_`: a signed-in user never shares one.
  sub: userIdSchema.refine((sub) => !sub.startsWith(ANONYMOUS_ID_PREFIX), `must not start with ${ANONYMOUS_ID_PREFIX} (anonymous ids)`),
  exp: z.number(),
  name: nameSchema.optional(),
  roles: z.array(text(KEY_MAX_LENGTH)).max(100).optional(),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

export function isValidClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

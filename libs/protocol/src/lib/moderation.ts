import { z } from 'zod';
import { ErrorCodes } from './errors';
import { inspectPayload, keySchema, userIdSchema, type Validation } from './validation';

/**
 * The body of `POST /api/disconnect`: every socket of `userId` is
 * disconnected, or, with `room`, the user is taken out of that room only.
 */
export interface DisconnectRequest {
  userId: string;
  room?: string;
}

const disconnectRequestSchema = z.object({ userId: userIdSchema, room: keySchema.optional() }).strict();

/**
 * Validates a moderation request from an untrusted body. Unknown fields are
 * refused rather than ignored: a misspelt `room` must not turn a removal
 * from one room into a disconnect. Every failure is `BAD_REQUEST`.
 *
 * @example
 * const v = validateDisconnectRequest(body);
 * if (!v.ok) throw badRequest(v.error.message);
 */
export function validateDisconnectRequest(input: unknown): Validation<DisconnectRequest> {
  const bad = (message: string) => ({ ok: false as const, error: { code: ErrorCodes.BadRequest, message } });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('the body must be a JSON object');
  const problem = inspectPayload(input);
  if (problem) return bad(problem);
  const result = disconnectRequestSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    return bad(`${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  return { ok: true, value: result.data };
}

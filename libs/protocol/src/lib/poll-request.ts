import { z } from 'zod';
import { keySchema, validate, type Validation } from './validation';

/** The body of `POST /api/polls` and `POST /api/polls/close`: the poll's key. */
export interface PollRequest {
  poll: string;
}

const pollRequestSchema = z.object({ poll: keySchema });

/** Validates an operator's poll request (unknown fields are ignored, as elsewhere). */
export function validatePollRequest(input: unknown): Validation<PollRequest> {
  return validate(pollRequestSchema, input);
}

import { STREAM_RETRY_MS } from '@presently/protocol';

/** The first reconnection waits about as long as the server's `retry:`, within the grace period. */
export const FIRST_RETRY_MS = STREAM_RETRY_MS;
export const MAX_RETRY_MS = 60_000;

/**
 * How long to wait before reconnection attempt `attempt` (0 for the first):
 * 3 s doubling up to 60 s, ±20 % so that readers cut off together do not
 * all come back at the same moment.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The protocol without Socket.IO: `GET /api/pages/live` is a Server-Sent
 * Events stream that counts its reader on one page, for badges on static
 * pages; `GET /api/pages/badge.svg` renders a page's viewers as an image.
 */
export const LIVE_STREAM_PATH = '/api/pages/live';
export const BADGE_SVG_PATH = '/api/pages/badge.svg';
/** v1.1: a page's occupancy over the last hour, as JSON and as an SVG sparkline. */
export const HISTORY_PATH = '/api/pages/history';
export const HISTORY_SVG_PATH = '/api/pages/history.svg';

/** The stream's named events, in the order they first arrive. */
export const StreamEvents = {
  /** `{ clientId }`: the reader's clientId, assigned when the query had none or a malformed one. */
  Session: 'session',
  /** `{ page, viewers, connections }`: at once, then after every change, coalesced like `page:count`. */
  Count: 'count',
} as const;
export type StreamEventName = (typeof StreamEvents)[keyof typeof StreamEvents];

export interface StreamSession {
  clientId: string;
}

/** The reconnection delay the stream asks of `EventSource` (`retry:`), in ms. */
export const STREAM_RETRY_MS = 3000;

/** How often an open stream gets a comment line, so proxies keep it open (the contract: at least every 20 s). */
export const STREAM_HEARTBEAT_MS = 15_000;

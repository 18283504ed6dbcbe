import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode } from '@presently/protocol';
import type { Identity } from '@presently/presence-core';

/** What an `authorize` hook knows about a connection being opened. */
export interface PresenceHandshake {
  /** Who the connection is: from its token, or an anonymous visitor. */
  identity: Identity;
  /** The client's address (behind trusted proxies, from `X-Forwarded-For`). */
  address: string;
  /** The `Origin` header, when the client sent one. */
  origin: string | undefined;
  headers: IncomingHttpHeaders;
  /** The handshake's `auth` object, as the client sent it (untrusted). */
  auth: Record<string, unknown>;
  query: Record<string, unknown>;
}

/**
 * `true` admits the connection; anything else refuses it: `false` with
 * `FORBIDDEN`, `{ refuse }` with that code (and an optional message).
 */
export type AuthorizeVerdict = boolean | { refuse: ErrorCode; message?: string };

/**
 * Decides whether a connection may open, before it counts anywhere. A hook
 * that throws or rejects refuses the connection with `INTERNAL` (logged).
 *
 * @example
 * authorize: async ({ identity, address }) =>
 *   (await bans.has(identity.userId)) ? { refuse: 'FORBIDDEN', message: 'banned' } : true
 */
export type AuthorizeHook = (handshake: PresenceHandshake) => AuthorizeVerdict | Promise<AuthorizeVerdict>;

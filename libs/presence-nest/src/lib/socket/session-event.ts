import { PROTOCOL_VERSION, type Session } from '@presently/protocol';
import type { Identity } from '@presently/presence-core';

/**
 * The `session` a socket is sent about itself: right after it connects, and
 * after each `session:token` (before its ack). `serverTime` is the server's
 * wall clock (epoch ms), for clients to correct their own.
 */
export function sessionOf(identity: Identity): Session {
  return {
    protocol: PROTOCOL_VERSION,
    clientId: identity.clientId,
    userId: identity.userId,
    name: identity.name,
    roles: [...identity.roles],
    serverTime: Date.now(),
  };
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, type ErrorCode } from '@presently/protocol';
import { ConnectionLimiter } from '@presently/presence-core';
import type { ExtendedError } from 'socket.io';
import type { AuthorizeVerdict, PresenceHandshake } from './authorize';
import { addressKey, clientAddress } from './client-address';
import { PresenceMetrics } from '../hooks/presence-metrics';
import type { PresenceSocket } from '../socket/presence-socket';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';

/**
 * The last step of a handshake, after the token: the per-address connection
 * limit and the application's `authorize` hook. A refused client sees a
 * `connect_error` whose `message` is the reason code (`LIMIT_EXCEEDED`, or
 * the hook's, `FORBIDDEN` by default) and whose `data` is `{ code, message }`;
 * nothing of it was counted. An admitted socket holds its address's slot
 * until it disconnects (or its transport closes before it connected).
 */
@Injectable()
export class ConnectionAdmission {
  private readonly logger = new Logger('ConnectionAdmission');
  private readonly limiter: ConnectionLimiter;

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    private readonly metrics: PresenceMetrics,
  ) {
    this.limiter = new ConnectionLimiter(options.maxConnectionsPerIp ?? 0);
  }

  /** Namespace middleware, run after the token has established `socket.data`. */
  readonly middleware = (socket: PresenceSocket, next: (error?: ExtendedError) => void): void => {
    const { handshake } = socket;
    const address = clientAddress(handshake.address, handshake.headers['x-forwarded-for'], this.options.trustProxy ?? 0);
    const key = addressKey(address);
    // Refused before any work is done for it; counted only once admitted.
    if (!this.limiter.allows(key)) return this.refuse(next, ErrorCodes.LimitExceeded, 'too many connections from this address');
    const authorize = this.options.authorize;
    if (!authorize) return this.admit(socket, key, next);
    const request: PresenceHandshake = {
      identity: socket.data,
      address,
      origin: handshake.headers.origin,
      headers: handshake.headers,
      auth: { ...(handshake.auth as Record<string, unknown>) },
      query: { ...(handshake.query as Record<string, unknown>) },
    };
    new Promise<AuthorizeVerdict>((resolve) => resolve(authorize(request))).then(
      (verdict) => {
        if (verdict === true) return this.admit(socket, key, next);
        if (typeof verdict === 'object' && verdict !== null && typeof verdict.refuse === 'string') {
          return this.refuse(next, verdict.refuse, verdict.message ?? 'connection refused');
        }
        this.refuse(next, ErrorCodes.Forbidden, 'connection refused');
      },
      (error: unknown) => {
        this.logger.error({ msg: 'authorize failed', error: String((error as Error)?.stack ?? error) });
        this.refuse(next, ErrorCodes.Internal, 'internal error');
      },
    );
  };

  /**
   * A live stream's place in its address's connection count: the function
   * that gives it back, or `null` when the address is at its limit. Streams
   * and sockets share one count; the `authorize` hook is for handshakes and
   * does not see streams (anonymous readers of one page).
   */
  acquireStream(peer: string | undefined, forwardedFor: string | string[] | undefined): (() => void) | null {
    const key = addressKey(clientAddress(peer, forwardedFor, this.options.trustProxy ?? 0));
    if (!this.limiter.acquire(key)) return null;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.limiter.release(key);
    };
  }

  private admit(socket: PresenceSocket, key: string, next: (error?: ExtendedError) => void): void {
    const transport = socket.conn;
    // The client gave up while the hook was deciding: nothing to count.
    if (transport.readyState === 'closed') return next(new Error('transport closed'));
    if (!this.limiter.acquire(key)) return this.refuse(next, ErrorCodes.LimitExceeded, 'too many connections from this address');
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      transport.off('close', release);
      this.limiter.release(key);
    };
    transport.once('close', release);
    socket.once('disconnect', release);
    next();
  }

  private refuse(next: (error?: ExtendedError) => void, code: ErrorCode, message: string): void {
    this.metrics.refused(code);
    this.logger.debug({ msg: 'handshake refused', code, reason: message });
    const error: ExtendedError = new Error(code);
    error.data = { code, message };
    next(error);
  }
}

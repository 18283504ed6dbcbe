import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, type ErrorBody, type ErrorCode } from '@presently/protocol';
import { ConnectionLimiter, HandshakeLimiter, type Identity } from '@presently/presence-core';
import type { IncomingMessage } from 'node:http';
import type { ExtendedError } from 'socket.io';
import type { AuthorizeVerdict, PresenceHandshake } from './authorize';
import { addressKey, clientAddress } from './client-address';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PresenceRegistry } from '../presence-registry';
import type { EngineServer, EngineSession, PresenceSocket } from '../socket/presence-socket';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';

/** Handshakes a second per address, and at once, when the options do not say. */
export const DEFAULT_HANDSHAKES_PER_S = 20;
export const DEFAULT_HANDSHAKE_BURST = 50;

/** One place in an address's connection count, given back once. */
interface Slot {
  released: boolean;
  readonly release: () => void;
}

/**
 * Every connection of a client address counts against `MAX_CONNECTIONS_PER_IP`
 * together with its held places (disconnected, still shown for the grace
 * period): each Engine.IO session from its handshake on, a `/presence`
 * socket as part of its session (a second socket on one session counts
 * apart), each live stream. A socket's place ends when it disconnects,
 * the moment its presence becomes a held place (so nothing is open and held
 * at once), and a session left with no `/presence` socket is closed. A
 * connection at the limit ends the address's
 * oldest held place instead of being refused; it is refused only when the
 * address has that many open. Handshakes are also limited per address
 * (`HANDSHAKES_PER_S`, `HANDSHAKE_BURST`). The limits are per process.
 *
 * A handshake refused by Engine.IO (`allowRequest`, before any session
 * exists) is answered, for polling, HTTP 403 `{ code: 4, message }` and, for a
 * websocket, HTTP 400 with the message as the body; the message is the
 * reason code (`LIMIT_EXCEEDED` or `RATE_LIMITED`). socket.io-client reports
 * it as a `connect_error` `xhr poll error` or `websocket error` and retries.
 * A `/presence` socket refused by the namespace middleware (a second socket
 * of one session over the limit, the `authorize` hook) sees a
 * `connect_error` whose `message` is the reason code and whose `data` is
 * `{ code, message }`. Nothing refused is counted. A connected socket that
 * changes identity (`session:token`) goes through the `authorize` hook again
 * ({@link authorizeAgain}).
 */
@Injectable()
export class ConnectionAdmission {
  private readonly logger = new Logger('ConnectionAdmission');
  private readonly limiter: ConnectionLimiter;
  private readonly handshakes: HandshakeLimiter;
  /** Handshakes admitted whose session does not exist yet. */
  private readonly pending = new WeakMap<IncomingMessage, Slot>();
  /** Each session's own place, until its first `/presence` socket takes it. */
  private readonly sessions = new WeakMap<EngineSession, Slot>();
  /** Admitted `/presence` sockets of each session. */
  private readonly sockets = new WeakMap<EngineSession, number>();
  /** The address key each admitted socket counts against. */
  private readonly addresses = new WeakMap<PresenceSocket, string>();

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    private readonly metrics: PresenceMetrics,
    registry: PresenceRegistry,
  ) {
    this.limiter = new ConnectionLimiter(options.maxConnectionsPerIp ?? 0, registry.presence);
    metrics.trackAddressConnections(() => this.limiter.total);
    this.handshakes = new HandshakeLimiter(
      options.handshakesPerS ?? DEFAULT_HANDSHAKES_PER_S,
      options.handshakeBurst ?? DEFAULT_HANDSHAKE_BURST,
      registry.clock,
    );
  }

  /**
   * Engine.IO's `allowRequest`, run for each new session's handshake (not for
   * the requests of an existing one): the handshake rate, then a place in
   * the address's count, which the session holds until it closes.
   */
  readonly allowRequest = (request: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void): void => {
    const key = this.keyOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    if (!this.handshakes.take(key)) return this.refuseSession(callback, ErrorCodes.RateLimited, 'too many handshakes from this address');
    const slot = this.acquire(key);
    if (!slot) return this.refuseSession(callback, ErrorCodes.LimitExceeded, 'too many connections from this address');
    this.pending.set(request, slot);
    // A handshake that fails before its session exists (a broken upgrade) gives its place back with its connection.
    request.socket.once('close', slot.release);
    callback(null, true);
  };

  /** Makes each new session of `engine` hold the place its handshake took. */
  attach(engine: EngineServer): void {
    engine.on('connection', (session: EngineSession) => {
      const slot = this.takePending(session.request);
      if (!slot) return;
      // Its client went away during the handshake: nothing may stay uncounted.
      if (slot.released) return session.close();
      this.sessions.set(session, slot);
      session.once('close', slot.release);
    });
    engine.on('connection_error', (error: { req?: IncomingMessage }) => {
      if (error.req) this.takePending(error.req)?.release();
    });
  }

  /** Namespace middleware, run after the token has established `socket.data`. */
  readonly middleware = (socket: PresenceSocket, next: (error?: ExtendedError) => void): void => {
    const request = this.handshakeOf(socket, socket.data, { ...(socket.handshake.auth as Record<string, unknown>) });
    const key = addressKey(request.address);
    // Refused before any work is done for it; counted only once admitted.
    if (!this.sessions.has(socket.conn) && !this.limiter.allows(key)) {
      return this.refuse(next, ErrorCodes.LimitExceeded, 'too many connections from this address');
    }
    if (!this.options.authorize) return this.admit(socket, key, next);
    void this.decide(request).then((refusal) => (refusal ? this.refuse(next, refusal.code, refusal.message) : this.admit(socket, key, next)));
  };

  /**
   * The `authorize` hook again, for a connected socket that is to become
   * `identity` with `token` (`session:token`; `null`: anonymous): null when
   * admitted, else the refusal, `UNAUTHORIZED` whatever the hook's code
   * (`INTERNAL` when the hook failed). The hook sees the socket's handshake
   * with the new identity, and the new token in `auth.token`.
   */
  async authorizeAgain(socket: PresenceSocket, identity: Identity, token: string | null): Promise<ErrorBody | null> {
    if (!this.options.authorize) return null;
    const { token: _previous, ...auth } = socket.handshake.auth as Record<string, unknown>;
    const refusal = await this.decide(this.handshakeOf(socket, identity, token === null ? auth : { ...auth, token }));
    if (!refusal || refusal.code === ErrorCodes.Internal) return refusal;
    return { code: ErrorCodes.Unauthorized, message: refusal.message };
  }

  /** The address key an admitted socket counts against (its held time too). */
  addressOf(socket: PresenceSocket): string | undefined {
    return this.addresses.get(socket);
  }

  /**
   * A live stream's place in its address's connection count: its address
   * key and the function that gives the place back, or `null` when the
   * address has its limit open. Streams, sessions and sockets share one
   * count; the `authorize` hook is for handshakes and does not see streams
   * (anonymous readers of one page).
   */
  acquireStream(peer: string | undefined, forwardedFor: string | string[] | undefined): { address: string; release: () => void } | null {
    const key = this.keyOf(peer, forwardedFor);
    const slot = this.acquire(key);
    return slot && { address: key, release: slot.release };
  }

  /** What the `authorize` hook is told of a socket as `identity`. */
  private handshakeOf(socket: PresenceSocket, identity: Identity, auth: Record<string, unknown>): PresenceHandshake {
    const { handshake } = socket;
    return {
      identity,
      address: clientAddress(handshake.address, handshake.headers['x-forwarded-for'], this.options.trustProxy ?? 0),
      origin: handshake.headers.origin,
      headers: handshake.headers,
      auth,
      query: { ...(handshake.query as Record<string, unknown>) },
    };
  }

  /** The `authorize` hook's verdict: null to admit, else the refusal (`INTERNAL`, logged, when the hook failed). */
  private decide(request: PresenceHandshake): Promise<ErrorBody | null> {
    const authorize = this.options.authorize;
    if (!authorize) return Promise.resolve(null);
    return new Promise<AuthorizeVerdict>((resolve) => resolve(authorize(request))).then(
      (verdict) => {
        if (verdict === true) return null;
        if (typeof verdict === 'object' && verdict !== null && typeof verdict.refuse === 'string') {
          return { code: verdict.refuse, message: verdict.message ?? 'connection refused' };
        }
        return { code: ErrorCodes.Forbidden, message: 'connection refused' };
      },
      (error: unknown) => {
        this.logger.error({ msg: 'authorize failed', error: String((error as Error)?.stack ?? error) });
        return { code: ErrorCodes.Internal, message: 'internal error' };
      },
    );
  }

  private admit(socket: PresenceSocket, key: string, next: (error?: ExtendedError) => void): void {
    const transport = socket.conn;
    // The client gave up while the hook was deciding: nothing to count.
    if (transport.readyState === 'closed') return next(new Error('transport closed'));
    // The session's first socket takes the session's place; any further one takes its own.
    const slot = this.sessions.get(transport) ?? this.acquire(key);
    if (!slot) return this.refuse(next, ErrorCodes.LimitExceeded, 'too many connections from this address');
    this.sessions.delete(transport);
    this.sockets.set(transport, (this.sockets.get(transport) ?? 0) + 1);
    transport.once('close', slot.release);
    // The socket's place ends with it, in the moment its presence becomes a held place: never open and held at once.
    socket.once('disconnect', () => {
      transport.off('close', slot.release);
      slot.release();
      this.left(transport);
    });
    this.addresses.set(socket, key);
    next();
  }

  /** A session whose last `/presence` socket left has nothing more to do, and no place: it is closed. */
  private left(transport: EngineSession): void {
    const sockets = (this.sockets.get(transport) ?? 1) - 1;
    if (sockets > 0) return void this.sockets.set(transport, sockets);
    this.sockets.delete(transport);
    if (transport.readyState === 'open') transport.close();
  }

  private acquire(key: string): Slot | null {
    if (!this.limiter.acquire(key)) return null;
    const slot: Slot = {
      released: false,
      release: () => {
        if (slot.released) return;
        slot.released = true;
        this.limiter.release(key);
      },
    };
    return slot;
  }

  private takePending(request: IncomingMessage): Slot | undefined {
    const slot = this.pending.get(request);
    if (!slot) return undefined;
    this.pending.delete(request);
    request.socket?.off('close', slot.release);
    return slot;
  }

  private keyOf(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    return addressKey(clientAddress(peer, forwardedFor, this.options.trustProxy ?? 0));
  }

  private refuseSession(callback: (message: string, success: boolean) => void, code: ErrorCode, reason: string): void {
    this.metrics.refused(code);
    this.logger.debug({ msg: 'session refused', code, reason });
    callback(code, false);
  }

  private refuse(next: (error?: ExtendedError) => void, code: ErrorCode, message: string): void {
    this.metrics.refused(code);
    this.logger.debug({ msg: 'handshake refused', code, reason: message });
    const error: ExtendedError = new Error(code);
    error.data = { code, message };
    next(error);
  }
}

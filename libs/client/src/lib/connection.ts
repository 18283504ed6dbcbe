import { ErrorCodes, PRESENCE_NAMESPACE, type ClientEventName, type ClientToServerEvents } from '@presently/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { PresenceError } from './presence-error';

type AckOf<E extends ClientEventName> = NonNullable<Parameters<ClientToServerEvents[E]>[1]>;
/** What a client event carries. */
export type RequestOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
/** A client event's successful ack. */
export type ReplyOf<E extends ClientEventName> = Extract<Parameters<AckOf<E>>[0], { ok: true }>;

/** What the handshake sends as `auth`. */
export interface HandshakeAuth {
  clientId?: string;
  token?: string;
}

export type SocketFactory = (uri: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface ConnectionOptions {
  /** The server's origin; `''` for the page's own. */
  url: string;
  transports: Array<'websocket' | 'polling' | 'webtransport'>;
  reconnectDelayMs: number;
  reconnectDelayMaxMs: number;
  ackTimeoutMs: number;
  /** Asked at every handshake, so that a token function can give a fresh token. */
  auth(): Promise<HandshakeAuth>;
}

/** What the connection reports to its owner. */
export interface ConnectionListener {
  /** A new server-side socket is up: the server remembers nothing of earlier ones. */
  connected(): void;
  /** The socket dropped; it comes back by itself (Socket.IO's or this class's own retries). */
  disconnected(reason: string): void;
  /** The server refused the handshake (`UNAUTHORIZED`): no retry until `reconnect()`. */
  refused(error: PresenceError): void;
}

/**
 * The one Socket.IO socket of a client, on `/presence`. It keeps the socket
 * coming back: Socket.IO retries dropped transports by itself, but not after
 * `io server disconnect`, a handshake the server refused for another reason
 * than `UNAUTHORIZED`, or a token function that failed; those are retried here
 * with exponential backoff (with jitter) between `reconnectDelayMs` and
 * `reconnectDelayMaxMs`. Requests are sent only while connected (nothing is
 * left in Socket.IO's send buffer) and settle with the ack or a PresenceError.
 */
export class Connection {
  private readonly socket: Socket;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly listener: ConnectionListener,
    factory: SocketFactory = io,
  ) {
    this.socket = factory(`${options.url.replace(/\/+$/, '')}${PRESENCE_NAMESPACE}`, {
      autoConnect: false,
      forceNew: true,
      transports: options.transports,
      reconnectionDelay: options.reconnectDelayMs,
      reconnectionDelayMax: options.reconnectDelayMaxMs,
      auth: (callback: (auth: object) => void) => {
        options.auth().then(
          (auth) => {
            if (!this.closed) callback(auth);
          },
          () => this.retryLater(),
        );
      },
    });
    this.socket.on('connect', () => {
      this.retries = 0;
      this.listener.connected();
    });
    this.socket.on('disconnect', (reason: string) => {
      if (this.closed) return;
      this.listener.disconnected(reason);
      // `io server disconnect` leaves the socket inactive: Socket.IO will not retry it.
      if (!this.socket.active && reason !== 'io client disconnect') this.retryLater();
    });
    this.socket.on('connect_error', (error: Error) => {
      // An active socket is retried by Socket.IO's manager (a transport failure).
      if (this.closed || this.socket.active) return;
      if (error.message === ErrorCodes.Unauthorized) this.listener.refused(new PresenceError('UNAUTHORIZED', 'the server refused the handshake'));
      else this.retryLater();
    });
  }

  get connected(): boolean {
    return !this.closed && this.socket.connected;
  }

  /** Starts connecting; call once every listener is in place. */
  open(): void {
    this.socket.connect();
  }

  /** Listens to a server event from now until `close()`; returns the way to stop. */
  listen(event: string, listener: (payload: never) => void): () => void {
    const handler = listener as (payload: unknown) => void;
    this.socket.on(event, handler);
    return () => this.socket.off(event, handler);
  }

  /**
   * Sends a client event and resolves with its successful ack. Rejects with the
   * ack's error, `DISCONNECTED` when not connected or when the connection
   * drops first, or `TIMEOUT` after `ackTimeoutMs` without an answer.
   * `applied` runs with a successful reply inside the ack's callback, in wire
   * order with the server's events (see `Link.request`).
   */
  request<E extends ClientEventName>(event: E, payload: RequestOf<E>, applied?: (reply: ReplyOf<E>) => void): Promise<ReplyOf<E>> {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new PresenceError('DISCONNECTED', `not connected: ${event} was not sent`));
        return;
      }
      const timeoutMs = this.options.ackTimeoutMs;
      this.socket.timeout(timeoutMs).emit(event, payload, (error: Error | null, reply: unknown) => {
        if (error) {
          // Socket.IO marks the socket disconnected before it fails the pending acks.
          reject(
            this.connected
              ? new PresenceError('TIMEOUT', `no answer to ${event} within ${timeoutMs} ms`)
              : new PresenceError('DISCONNECTED', `the connection dropped before ${event} was answered`),
          );
        } else if ((reply as { ok?: unknown } | null)?.ok === true) {
          applied?.(reply as ReplyOf<E>);
          resolve(reply as ReplyOf<E>);
        } else {
          reject(PresenceError.fromAck(event, reply));
        }
      });
    });
  }

  /** Drops the current socket (if any) and makes a new handshake at once. */
  reconnect(): void {
    if (this.closed) return;
    this.clearRetry();
    this.retries = 0;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Disconnects for good; leaves no timer behind. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearRetry();
    this.socket.disconnect();
    this.socket.removeAllListeners();
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.socket.disconnect();
    const delay = backoff(this.retries++, this.options.reconnectDelayMs, this.options.reconnectDelayMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) this.socket.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

/** Exponential backoff with ±50 % jitter, capped at `maxMs`. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.min(maxMs, Math.round(exponential * (0.5 + random())));
}

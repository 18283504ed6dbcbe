import type { ClientToServerEvents, ServerToClientEvents } from '@presently/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { SourceAddresses } from './addresses';
import { LatencyHistogram } from './histogram';

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** engine.io-client hands `localAddress` to `ws` (and so to `http.request`), though its types omit it. */
type ClientOptions = Partial<ManagerOptions & SocketOptions> & { localAddress?: string };

/**
 * The load generator's sockets: plain `socket.io-client` to `/presence`,
 * websocket only, no reconnection, each from its own source address (see
 * {@link SourceAddresses}) and with its own `clientId`. Counts handshakes
 * that fail and sockets that drop before {@link close}.
 */
export class Fleet {
  readonly sockets: BenchSocket[] = [];
  readonly connectLatency = new LatencyHistogram();
  failures = 0;
  unexpectedDisconnects = 0;
  readonly errors = new Map<string, number>();
  private closing = false;

  constructor(
    private readonly addresses: SourceAddresses,
    private readonly clientIdPrefix: string,
    /** Handshake headers of every socket (an `X-Forwarded-For` that makes them one client address). */
    private readonly headers?: Record<string, string>,
  ) {}

  /**
   * Opens socket `index` (its clientId is `<prefix>-<index>`) to `url` and
   * resolves once it connected, or with `null` when its handshake failed.
   * A `transient` socket (one of many that come and go) is neither kept in
   * {@link sockets} nor watched for disconnects: its owner ends it.
   */
  connect(url: string, index: number | string, transient = false): Promise<BenchSocket | null> {
    const options: ClientOptions = {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 120_000,
      auth: { clientId: `${this.clientIdPrefix}-${index}` },
      localAddress: this.addresses.next(),
      ...(this.headers && { extraHeaders: this.headers }),
    };
    const socket: BenchSocket = io(`${url}/presence`, options);
    const startedAt = performance.now();
    return new Promise((resolve) => {
      socket.once('connect', () => {
        socket.off('connect_error');
        this.connectLatency.record(performance.now() - startedAt);
        if (transient) return resolve(socket);
        this.sockets.push(socket);
        socket.once('disconnect', (reason) => {
          if (this.closing) return;
          this.unexpectedDisconnects++;
          this.note(`disconnect: ${reason}`);
        });
        resolve(socket);
      });
      socket.once('connect_error', (error) => {
        this.failures++;
        this.note(`connect_error: ${error.message}`);
        socket.disconnect();
        resolve(null);
      });
    });
  }

  /** Sockets still connected. */
  connected(): number {
    let n = 0;
    for (const socket of this.sockets) if (socket.connected) n++;
    return n;
  }

  /** Disconnects every socket (a disconnect from now on is expected). */
  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.disconnect();
  }

  private note(error: string): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }
}

/** Runs `task(0..count-1)` with at most `concurrency` of them pending at once. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * When the clients last heard anything, to wait for the server to go quiet
 * (trailing coalesced counts, fan-out still draining).
 */
export class Activity {
  private last = performance.now();

  touch(): void {
    this.last = performance.now();
  }

  /** Resolves once nothing arrived for `quietMs` (true), or after `timeoutMs` regardless (false). */
  quiet(quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        const now = performance.now();
        const idleFor = now - this.last;
        if (idleFor >= quietMs) return resolve(true);
        if (now >= deadline) return resolve(false);
        setTimeout(check, Math.min(quietMs - idleFor, deadline - now) + 1);
      };
      check();
    });
  }
}

/** The longest wait for one ack; the run's own timeout is the real bound. */
const ACK_TIMEOUT_MS = 600_000;

/**
 * An ack, when it arrived (`performance.now()`), and the round trip in
 * milliseconds; or, with `lost`, why none came (the socket was
 * disconnected, or the wait timed out), and `ack` is then `null`.
 */
export type Answer<A> = { ack: A; at: number; ms: number; lost?: undefined } | { ack: null; at: number; ms: number; lost: string };

/** An ack's shape as far as failures go. */
type AnyAck = { ok: true } | { ok: false; error: { code: string; message: string } };

/** Why a request failed (refused, or no ack at all), or `null` when it was acked `ok`. */
export function failure(answer: Answer<AnyAck>): string | null {
  if (answer.lost !== undefined) return `no ack (${answer.lost})`;
  return answer.ack.ok ? null : `${answer.ack.error.code} (${answer.ack.error.message})`;
}

/** Failed requests by event and reason, for the notes. */
export class Failures {
  private readonly counts = new Map<string, number>();

  /** Records `answer` if it failed; answers whether it did. */
  failed(event: string, answer: Answer<AnyAck>): boolean {
    const why = failure(answer);
    if (why === null) return false;
    const key = `${event}: ${why}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return true;
  }

  get total(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    return n;
  }

  notes(): string[] {
    return [...this.counts].map(([why, n]) => `${n}× ${why}`);
  }
}

/**
 * Emits `event` and resolves with its ack, or as lost once the socket
 * disconnects. `onAck` runs inside the ack's callback, in order with the
 * socket's events: a promise's continuation runs only after every other
 * frame of the same read was dispatched, so state that later events must
 * see is updated there.
 */
export function request<A>(socket: BenchSocket, event: keyof ClientToServerEvents, payload: unknown, onAck?: (answer: Answer<A>) => void): Promise<Answer<A>> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    (socket as unknown as Socket).timeout(ACK_TIMEOUT_MS).emit(event, payload, (error: Error | null, ack: A) => {
      const at = performance.now();
      const answer: Answer<A> = error ? { ack: null, at, ms: at - sentAt, lost: error.message } : { ack, at, ms: at - sentAt };
      onAck?.(answer);
      resolve(answer);
    });
  });
}

/** Resolves after `ms` (pacing a schedule: the harness never waits on time for an outcome). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

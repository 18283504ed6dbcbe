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
  ) {}

  /**
   * Opens socket `index` (its clientId is `<prefix>-<index>`) to `url` and
   * resolves once it connected, or with `null` when its handshake failed.
   */
  connect(url: string, index: number): Promise<BenchSocket | null> {
    const options: ClientOptions = {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 120_000,
      auth: { clientId: `${this.clientIdPrefix}-${index}` },
      localAddress: this.addresses.next(),
    };
    const socket: BenchSocket = io(`${url}/presence`, options);
    const startedAt = performance.now();
    return new Promise((resolve) => {
      socket.once('connect', () => {
        socket.off('connect_error');
        this.connectLatency.record(performance.now() - startedAt);
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

/** An ack, when it arrived (`performance.now()`), and the round trip in milliseconds. */
export interface Answer<A> {
  ack: A;
  at: number;
  ms: number;
}

/**
 * Emits `event` and resolves with its ack. `onAck` runs inside the ack's
 * callback, in order with the socket's events: a promise's continuation
 * runs only after every other frame of the same read was dispatched, so
 * state that later events must see is updated there.
 */
export function request<A>(socket: BenchSocket, event: keyof ClientToServerEvents, payload: unknown, onAck?: (answer: Answer<A>) => void): Promise<Answer<A>> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    (socket as unknown as Socket).emit(event, payload, (ack: A) => {
      const at = performance.now();
      const answer = { ack, at, ms: at - sentAt };
      onAck?.(answer);
      resolve(answer);
    });
  });
}

/** Resolves after `ms` (pacing a schedule: the harness never waits on time for an outcome). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port it listens on (loopback). */
  readonly port: number;
  /** Whether it is cut now. */
  readonly isCut: boolean;
  /** Connections it forwards now. */
  readonly open: number;
  /**
   * Cuts the link: every open connection is destroyed, and new ones are
   * accepted but never forwarded nor answered (a blackhole, as a network
   * partition looks to the client) until {@link restore}.
   */
  cut(): void;
  /**
   * Drops every open connection at once (their clients see the link close)
   * and keeps forwarding new ones: a network drop, not a partition. Answers
   * how many were dropped.
   */
  drop(): number;
  /** Forwards again: connections held in the blackhole are closed, so their clients reconnect. */
  restore(): void;
  /** Stops listening and closes every connection (afterAll). */
  close(): Promise<void>;
}

/**
 * A TCP proxy on a free loopback port that forwards to `target`, and that a
 * test cuts and restores: what a process sees when the network between it
 * and a service fails while the service keeps running.
 *
 * @example
 * const link = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
 * const server = await startServer({ REDIS_URL: `redis://127.0.0.1:${link.port}` });
 * link.cut(); … link.restore();
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const forwarded = new Set<Socket>();
  const held = new Set<Socket>();
  let cut = false;
  const server = createServer((inbound) => {
    inbound.on('error', () => undefined);
    if (cut) {
      held.add(inbound);
      inbound.on('close', () => held.delete(inbound));
      // Read and drop: the client's writes succeed and nothing ever answers.
      inbound.resume();
      return;
    }
    const outbound = createConnection(target);
    outbound.on('error', () => inbound.destroy());
    inbound.on('error', () => outbound.destroy());
    inbound.on('close', () => {
      forwarded.delete(inbound);
      outbound.destroy();
    });
    outbound.on('close', () => inbound.destroy());
    forwarded.add(inbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');
  return {
    port: address.port,
    get isCut() {
      return cut;
    },
    get open() {
      return forwarded.size;
    },
    cut: () => {
      cut = true;
      for (const socket of forwarded) socket.destroy();
      forwarded.clear();
    },
    drop: () => {
      const dropped = forwarded.size;
      for (const socket of forwarded) socket.destroy();
      forwarded.clear();
      return dropped;
    },
    restore: () => {
      cut = false;
      for (const socket of held) socket.destroy();
      held.clear();
    },
    close: async () => {
      for (const socket of [...forwarded, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

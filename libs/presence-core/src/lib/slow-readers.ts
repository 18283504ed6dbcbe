import type { Clock } from './clock';

export interface SlowReadersOptions {
  /** Bytes a connection may have waiting to be sent; 0: no bound (nobody is ever cut). */
  maxBufferedBytes: number;
  /** How long a connection may stay above the bound before it is cut (ms). */
  slowMs: number;
}

/**
 * Decides which connections read too slowly: one whose outgoing buffer stays
 * above `maxBufferedBytes` for longer than `slowMs` is to be cut. The
 * transport samples each connection's buffer now and then (one sweep over
 * every connection, no timer per connection) and asks {@link sample}; only
 * the connections above the bound are remembered, with the time they were
 * first seen there, so the cost is O(1) per sample and the memory O(slow
 * connections).
 *
 * Sampling can only see a connection go over late, never early: a
 * connection is cut at the earliest `slowMs` after it went over, at the
 * latest `slowMs` plus two sweep intervals. One sample at or below the bound
 * forgives it entirely (an honest reader that catches up starts afresh).
 *
 * @example
 * const readers = new SlowReaders(clock, { maxBufferedBytes: 4 * 1024 * 1024, slowMs: 5000 });
 * for (const socket of sockets) if (readers.sample(socket.id, buffered(socket))) cut(socket);
 */
export class SlowReaders<K = string> {
  /** Connection → when it was first seen above the bound. */
  private readonly overSince = new Map<K, number>();

  constructor(
    private readonly clock: Clock,
    private readonly options: SlowReadersOptions,
  ) {}

  /** Whether any connection may ever be cut (a bound is set). */
  get enabled(): boolean {
    return this.options.maxBufferedBytes > 0;
  }

  /**
   * `buffered` bytes wait to be sent to `id` now. Answers true when `id`
   * has been above the bound for longer than `slowMs`: the caller cuts it
   * (and it is forgotten here). O(1).
   */
  sample(id: K, buffered: number): boolean {
    if (!this.enabled || buffered <= this.options.maxBufferedBytes) {
      this.overSince.delete(id);
      return false;
    }
    const now = this.clock.now();
    const since = this.overSince.get(id);
    if (since === undefined) {
      this.overSince.set(id, now);
      return this.options.slowMs <= 0;
    }
    if (now - since <= this.options.slowMs) return false;
    this.overSince.delete(id);
    return true;
  }

  /** `id` went away: nothing of it is kept. */
  forget(id: K): void {
    this.overSince.delete(id);
  }

  /** Connections above the bound at their last sample. */
  get over(): number {
    return this.overSince.size;
  }

  /**
   * How often to sample: a fifth of `slowMs`, between 50 ms and 1 s, so a
   * cut comes at most 40 % late (or 2 s for long `slowMs`).
   */
  get sweepIntervalMs(): number {
    return Math.min(1000, Math.max(50, Math.floor(this.options.slowMs / 5)));
  }
}

/**
 * Counts open connections per key (a client address) and refuses a key its
 * `max + 1`th. O(1) per acquire and release; a key with no connections takes
 * no memory. `max` 0 means no limit (nothing is counted).
 *
 * @example
 * const limiter = new ConnectionLimiter(100);
 * if (!limiter.acquire(address)) return refuse('LIMIT_EXCEEDED');
 * socket.once('disconnect', () => limiter.release(address));
 */
export class ConnectionLimiter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Whether `key` could open one more connection now. */
  allows(key: string): boolean {
    return this.max === 0 || (this.counts.get(key) ?? 0) < this.max;
  }

  /** Counts a connection of `key`, unless that would exceed the limit. */
  acquire(key: string): boolean {
    if (this.max === 0) return true;
    const count = this.counts.get(key) ?? 0;
    if (count >= this.max) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  /** Ends one counted connection of `key`; call once per successful `acquire`. */
  release(key: string): void {
    if (this.max === 0) return;
    const count = this.counts.get(key);
    if (count === undefined) return;
    if (count > 1) this.counts.set(key, count - 1);
    else this.counts.delete(key);
  }

  /** Connections counted for `key`. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Keys with at least one connection. */
  get keys(): number {
    return this.counts.size;
  }
}

import type { Clock } from './clock';
import { TokenBucket } from './token-bucket';

/** Buckets kept before the first sweep; a sweep runs again once their number doubled. */
const MIN_SWEEP = 1024;

/**
 * Handshakes per key (a client address): a {@link TokenBucket} per key, of
 * `ratePerS` handshakes a second with bursts of `burst`. A key that
 * handshakes no more is forgotten once its bucket is full again (a full
 * bucket is a new one), so memory follows the addresses that handshook in
 * the last `burst / ratePerS` seconds. `ratePerS` 0 means no limit.
 *
 * @example
 * const handshakes = new HandshakeLimiter(20, 50, systemClock);
 * if (!handshakes.take(address)) return refuse('RATE_LIMITED');
 */
export class HandshakeLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweepAt = MIN_SWEEP;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  /** Takes one handshake of `key`'s budget; false past it. Amortised O(1). */
  take(key: string): boolean {
    if (this.ratePerS === 0) return true;
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.sweep(now);
      bucket = new TokenBucket(this.ratePerS, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Keys with a bucket that is not full (an address that handshook lately). */
  get keys(): number {
    return this.buckets.size;
  }

  /** Forgets every full bucket, once there are twice as many as after the last sweep. */
  private sweep(now: number): void {
    if (this.buckets.size < this.sweepAt) return;
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
    this.sweepAt = Math.max(MIN_SWEEP, this.buckets.size * 2);
  }
}

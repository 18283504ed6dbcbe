/**
 * A token bucket: holds up to `burst` tokens, refilled at `ratePerS` tokens a
 * second; each event takes one. Time is passed in, so it is tested without
 * sleeping.
 *
 * @example
 * const bucket = new TokenBucket(100, 200, Date.now());
 * if (!bucket.take(Date.now())) return ackError('RATE_LIMITED', 'too many events');
 */
export class TokenBucket {
  /** In thousandths of a token, so that refills add up exactly. */
  private milliTokens: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerS: number,
    burst: number,
    private last: number,
  ) {
    this.capacity = burst * 1000;
    this.milliTokens = this.capacity;
  }

  /** Takes one token if there is one; answers whether the event may proceed. */
  take(now: number): boolean {
    if (now > this.last) {
      this.milliTokens = Math.min(this.capacity, this.milliTokens + Math.floor(now - this.last) * this.ratePerS);
      this.last = now;
    }
    if (this.milliTokens < 1000) return false;
    this.milliTokens -= 1000;
    return true;
  }

  /** Whether the bucket would hold its whole burst at `now`: then it is no different from a new one. */
  full(now: number): boolean {
    return this.milliTokens + Math.max(0, Math.floor(now - this.last)) * this.ratePerS >= this.capacity;
  }
}

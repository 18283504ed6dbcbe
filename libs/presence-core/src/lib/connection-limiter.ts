/**
 * The held places of each key (a client address): connections that went
 * away and are still counted for their grace period. `Presence` is one.
 */
export interface HeldPlaces {
  heldAt(key: string): number;
  /** Ends the key's oldest held place now, as if its grace ran out; false if it holds none. */
  endOldestHeld(key: string): boolean;
}

const NO_HELD_PLACES: HeldPlaces = { heldAt: () => 0, endOldestHeld: () => false };

/**
 * Counts open connections per key (a client address) against `max`,
 * together with the key's held places: a key never has more than `max` open
 * and held together, so one address never makes a page show more viewers
 * than it may hold connections. A connection that would exceed it ends the
 * key's oldest held places first (a reload at the limit still connects); it
 * is refused only when `max` connections are open. O(1) per acquire and
 * release, plus the held places it ends; a key with no connections takes no
 * memory. `max` 0 means no limit (nothing is counted).
 *
 * @example
 * const limiter = new ConnectionLimiter(100, presence);
 * if (!limiter.acquire(address)) return refuse('LIMIT_EXCEEDED');
 * socket.once('disconnect', () => limiter.release(address));
 */
export class ConnectionLimiter {
  private readonly counts = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly max: number,
    private readonly held: HeldPlaces = NO_HELD_PLACES,
  ) {}

  /** Whether `key` could open one more connection now (ending held places if it must). */
  allows(key: string): boolean {
    return this.max === 0 || (this.counts.get(key) ?? 0) < this.max;
  }

  /** Counts a connection of `key`, ending its oldest held places to make room; false if `max` are open. */
  acquire(key: string): boolean {
    if (this.max === 0) return true;
    const count = this.counts.get(key) ?? 0;
    if (count >= this.max) return false;
    while (count + this.held.heldAt(key) >= this.max && this.held.endOldestHeld(key)) {
      // each round ended one held place
    }
    this.counts.set(key, count + 1);
    this.open++;
    return true;
  }

  /** Ends one counted connection of `key`; call once per successful `acquire`. */
  release(key: string): void {
    if (this.max === 0) return;
    const count = this.counts.get(key);
    if (count === undefined) return;
    this.open--;
    if (count > 1) this.counts.set(key, count - 1);
    else this.counts.delete(key);
  }

  /** Open connections counted for `key` (held places not included). */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Open connections counted, all keys together. */
  get total(): number {
    return this.open;
  }

  /** Keys with at least one connection. */
  get keys(): number {
    return this.counts.size;
  }
}

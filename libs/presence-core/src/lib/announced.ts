/**
 * A figure announced to many subscribers at once (a page's counts, a large
 * room's total, the stats): the value last broadcast to all of them, and the
 * subscribers known to hold another one because they were answered directly
 * (an ack) since. A broadcast is due when the figure differs from what was
 * sent, or when a subscriber still listening holds something else; a value
 * everyone already holds is never sent again.
 *
 * Every operation is O(1), apart from `due` when the figure equals the one
 * sent: it then walks the subscribers known to hold another one.
 *
 * A subscriber a broadcast skips (hidden, rate-limited) is recorded again
 * right after it with `acked(subscriber, what it still holds)`, read
 * beforehand with `lastFor`.
 *
 * @example
 * const counts = new Announced(samePageCounts, { viewers: 0, connections: 0 });
 * counts.acked(socket, current); // an ack answered `current`
 * if (counts.due(current, (s) => s.connected)) broadcast(current);
 */
export class Announced<V, S = unknown> {
  /** Subscribers whose last known value differs from `sent`, with that value. */
  private divergent: Map<S, V> | null = null;
  private stale = false;

  /**
   * @param same whether two values (never undefined) are the same figure
   * @param sent what every subscriber holds before any broadcast (a page's
   *   counts start at 0); without it the first `due` answers true.
   */
  constructor(
    private readonly same: (a: V, b: V) => boolean,
    private sent?: NoInfer<V>,
  ) {}

  /** The value last broadcast (or the initial one); undefined before any. */
  get last(): V | undefined {
    return this.sent;
  }

  /** What `subscriber` holds, as far as is known: its own value, else the last broadcast. */
  lastFor(subscriber: S): V | undefined {
    const own = this.divergent?.get(subscriber);
    return own === undefined ? this.sent : own;
  }

  /** `subscriber` was answered `value` directly: it is owed the next broadcast if that differs from `value`. */
  acked(subscriber: S, value: V): void {
    if (this.sent !== undefined && this.same(this.sent, value)) this.divergent?.delete(subscriber);
    else (this.divergent ??= new Map()).set(subscriber, value);
  }

  /** `subscriber` unsubscribed: it is owed nothing. */
  forget(subscriber: S): void {
    this.divergent?.delete(subscriber);
  }

  /**
   * Whether `value` must be broadcast now: it differs from the value sent,
   * or a subscriber that `stillSubscribed` accepts (every known one, without
   * it) holds another. When it answers true the caller broadcasts: `value`
   * becomes the value sent and every subscriber holds it. Either way the
   * subscribers known to hold another value are forgotten (on false, none of
   * them is still subscribed).
   */
  due(value: V, stillSubscribed?: (subscriber: S) => boolean): boolean {
    const due = this.stale || this.sent === undefined || !this.same(this.sent, value) || this.owed(value, stillSubscribed);
    this.divergent = null;
    this.stale = false;
    if (due) this.sent = value;
    return due;
  }

  /**
   * Nobody can vouch for what subscribers hold any more (a cluster store was
   * rebuilt): the next `due` answers true whatever the value.
   */
  invalidate(): void {
    this.stale = true;
  }

  private owed(value: V, stillSubscribed: ((subscriber: S) => boolean) | undefined): boolean {
    if (!this.divergent) return false;
    for (const [subscriber, held] of this.divergent) {
      if ((!stillSubscribed || stillSubscribed(subscriber)) && !this.same(held, value)) return true;
    }
    return false;
  }
}

import { Announced } from './announced';
import type { Clock } from './clock';
import { Coalescer } from './coalescer';

export interface RatedAnnouncerOptions<K, V> {
  /** The rates (ms) slower than the figure's own: one class each. */
  rates: readonly number[];
  same(a: V, b: V): boolean;
  /** Whether anyone follows `key` at `rate` here. */
  wanted(key: K, rate: number): boolean;
  /** Sends `value` to those who follow `key` at `rate`. */
  deliver(key: K, rate: number, value: V): void;
}

/** A key's latest value in one rate class, and what that class's subscribers hold. */
interface Held<V> {
  latest: V;
  announced: Announced<V, string>;
}

/** One rate: its coalescer (one cooldown per key, not per subscriber) and the keys it holds. */
interface RateClass<K, V> {
  coalescer: Coalescer<K>;
  held: Map<K, Held<V>>;
}

/**
 * Re-announces a figure (a page's counts, the stats) to subscribers who
 * chose a slower rate than the figure's own. Each rate is one class with
 * one {@link Coalescer} over the keys: a key's first change after a quiet
 * `rate` goes out at once, later ones merge into the last value, sent when
 * the `rate` ends. So a class costs one cooldown per key, however many
 * subscribers it has, and the last value always arrives, at most `rate`
 * after the change.
 *
 * A key's latest value is kept in a class only while the class wants it or
 * has something to send. Each class's {@link Announced} notes subscribers
 * answered directly (acks): they are owed the next value if it differs.
 * `offer` is O(rates).
 */
export class RatedAnnouncer<K, V> {
  private readonly classes = new Map<number, RateClass<K, V>>();

  constructor(
    clock: Clock,
    private readonly options: RatedAnnouncerOptions<K, V>,
  ) {
    for (const rate of options.rates) {
      this.classes.set(rate, {
        held: new Map(),
        coalescer: new Coalescer<K>(
          clock,
          rate,
          (key) => this.send(rate, key),
          (key) => this.idle(rate, key),
        ),
      });
    }
  }

  /** The rates served here, slowest last. */
  get rates(): readonly number[] {
    return this.options.rates;
  }

  /** `key`'s figure is now `value` (as announced at its own rate). */
  offer(key: K, value: V): void {
    for (const [rate, rated] of this.classes) {
      let held = rated.held.get(key);
      if (!held) {
        if (!this.options.wanted(key, rate)) continue;
        rated.held.set(key, (held = { latest: value, announced: new Announced<V, string>(this.options.same) }));
      }
      held.latest = value;
      rated.coalescer.touch(key);
    }
  }

  /**
   * `subscriber`, at `rate`, was answered `value` directly: it is owed the
   * class's next value if that differs. In a class that holds nothing of
   * `key` yet (it sent nothing since its subscribers came), `value` is taken
   * as what they hold, so that a change that only brings that value (the
   * subscriber's own arrival, as a stream's reader) costs no message and
   * no window: the next real change still goes out at once.
   */
  acked(key: K, rate: number, subscriber: string, value: V): void {
    const rated = this.classes.get(rate);
    const held = rated?.held.get(key);
    if (held) held.announced.acked(subscriber, value);
    else if (rated && this.options.wanted(key, rate)) rated.held.set(key, { latest: value, announced: new Announced<V, string>(this.options.same, value) });
  }

  /**
   * What `subscriber`, at `rate`, holds of `key` as far as the class knows
   * (its ack, else the class's last value; undefined: unknown). From now on
   * the class owes it nothing (it stops listening).
   */
  heldBy(key: K, rate: number, subscriber: string): V | undefined {
    const held = this.classes.get(rate)?.held.get(key);
    if (!held) return undefined;
    const value = held.announced.lastFor(subscriber);
    held.announced.forget(subscriber);
    return value;
  }

  /** Nobody follows `key` at `rate` any more: its value there is dropped (a pending one would reach nobody). */
  release(key: K, rate: number): void {
    if (!this.options.wanted(key, rate)) this.classes.get(rate)?.held.delete(key);
  }

  /** How many keys the classes hold (tests, bounded memory). */
  get size(): number {
    let size = 0;
    for (const rated of this.classes.values()) size += rated.held.size;
    return size;
  }

  dispose(): void {
    for (const rated of this.classes.values()) {
      rated.coalescer.dispose();
      rated.held.clear();
    }
  }

  private send(rate: number, key: K): boolean {
    const held = this.classes.get(rate)?.held.get(key);
    if (!held || !held.announced.due(held.latest)) return false;
    this.options.deliver(key, rate, held.latest);
    return true;
  }

  private idle(rate: number, key: K): void {
    if (!this.options.wanted(key, rate)) this.classes.get(rate)?.held.delete(key);
  }
}

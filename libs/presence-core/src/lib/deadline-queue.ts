import type { Clock, TimerHandle } from './clock';

/**
 * Keys that each end `delayMs` after they were last pushed, with one timer
 * for all of them. Every deadline is "now + `delayMs`", so the order keys
 * were (last) pushed in is the order they fall due: a Map keeps that order,
 * pushing again moves a key to the back, and the one timer is set for the
 * front. When it fires, every key that is due is taken off and handed to
 * `expire`, in order, and the timer is set for the new front.
 *
 * Every operation is O(1), apart from a drain, which costs what it expires.
 *
 * @example
 * const typing = new DeadlineQueue<string>(clock, 6000, (key) => stop(key));
 * typing.push('socket-1'); // ends 6 s from now, unless pushed again
 */
export class DeadlineQueue<K> {
  /** Key → when it falls due, in the order they were pushed (which is their deadlines' order). */
  private readonly deadlines = new Map<K, number>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly expire: (key: K) => void,
  ) {}

  /** `key` falls due `delayMs` from now, whenever it was pushed before. */
  push(key: K): void {
    this.deadlines.delete(key);
    this.deadlines.set(key, this.clock.now() + this.delayMs);
    this.arm();
  }

  has(key: K): boolean {
    return this.deadlines.has(key);
  }

  /** Takes `key` off without expiring it; false if it was not there. */
  delete(key: K): boolean {
    if (!this.deadlines.delete(key)) return false;
    if (this.deadlines.size === 0) this.disarm();
    return true;
  }

  /** The key that falls due first (pushed least recently), if any. */
  first(): K | undefined {
    for (const key of this.deadlines.keys()) return key;
    return undefined;
  }

  get size(): number {
    return this.deadlines.size;
  }

  /** Forgets every key and stops the timer; nothing expires. */
  dispose(): void {
    this.deadlines.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer !== null) return;
    for (const due of this.deadlines.values()) {
      this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => this.drain());
      return;
    }
  }

  private disarm(): void {
    if (this.timer === null) return;
    this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private drain(): void {
    this.timer = null;
    const now = this.clock.now();
    for (const [key, due] of this.deadlines) {
      if (due > now) break;
      this.deadlines.delete(key);
      this.expire(key);
    }
    this.arm();
  }
}

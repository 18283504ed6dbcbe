import type { Clock, TimerHandle } from './clock';

interface Cooldown {
  timer: TimerHandle;
  pending: boolean;
}

/**
 * Rate-limits the announcements of many keys (pages, the stats), each on its
 * own: the first change of a quiet key goes out once the current task is done
 * (leading edge, which also merges a burst that arrives in one read); changes
 * during the following `intervalMs` are merged and announced when it ends
 * (trailing edge). `send` decides whether there is anything new to send and
 * answers whether it sent; `onIdle` is called when a key has nothing more
 * queued, so its owner can drop state it no longer needs.
 */
export class Coalescer<K> {
  private readonly dirty = new Set<K>();
  private readonly cooling = new Map<K, Cooldown>();
  private flushScheduled = false;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly send: (key: K) => boolean,
    private readonly onIdle: (key: K) => void = () => undefined,
  ) {}

  /** Marks `key` as changed. O(1). */
  touch(key: K): void {
    if (this.disposed) return;
    const cooldown = this.cooling.get(key);
    if (cooldown) {
      cooldown.pending = true;
      return;
    }
    this.dirty.add(key);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.clock.defer(() => this.flush());
    }
  }

  /** Sends every key changed since the last flush that is not cooling down. */
  flush(): void {
    this.flushScheduled = false;
    if (this.disposed) return;
    for (const key of this.dirty) {
      this.dirty.delete(key);
      this.fire(key);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const cooldown of this.cooling.values()) this.clock.clearTimer(cooldown.timer);
    this.cooling.clear();
    this.dirty.clear();
  }

  private fire(key: K): void {
    if (this.send(key) && this.intervalMs > 0) {
      const timer = this.clock.setTimer(this.intervalMs, () => this.cool(key));
      this.cooling.set(key, { timer, pending: false });
    } else {
      this.onIdle(key);
    }
  }

  private cool(key: K): void {
    const cooldown = this.cooling.get(key);
    if (!cooldown || this.disposed) return;
    this.cooling.delete(key);
    if (cooldown.pending) this.fire(key);
    else this.onIdle(key);
  }
}

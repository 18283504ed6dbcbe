import type { Clock, TimerHandle } from '../lib/clock';

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance(ms)` runs deferred work and
 * every timer that falls due, in order; `flush()` runs deferred work only.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();
  private deferred: Array<() => void> = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimer(timer: TimerHandle): void {
    this.timers.delete(timer as number);
  }

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Runs deferred work until none is left. */
  flush(): void {
    while (this.deferred.length > 0) {
      const batch = this.deferred;
      this.deferred = [];
      for (const fn of batch) fn();
    }
  }

  /** Moves time forward by `ms`, running what falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    this.flush();
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.due;
      this.timers.delete(next.id);
      next.fn();
      this.flush();
    }
    this.time = end;
  }

  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  private nextDue(end: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.due <= end && (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id))) {
        next = timer;
      }
    }
    return next;
  }
}

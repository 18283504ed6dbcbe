/** A timer started through a {@link Clock}. */
export type TimerHandle = unknown;

/**
 * Time as the presence core sees it. Injected so that grace periods and
 * coalescing are tested without sleeping (see `ManualClock` in `/testing`).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(timer: TimerHandle): void;
  /** Runs `fn` once the current task and its I/O callbacks are done. */
  defer(fn: () => void): void;
}

/** The real clock: `Date.now`, unref'd timers and `setImmediate`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms).unref(),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
  defer: (fn) => {
    setImmediate(fn);
  },
};

import { HISTORY_INTERVAL_MS, HISTORY_POINTS, type HistoryPoint } from '@presently/protocol';

/** One minute of a page as it is kept: its start, its peak, and viewers × ms accounted in it so far. */
export interface MinuteBucket {
  t: number;
  peak: number;
  integral: number;
}

/** The start of the minute `at` falls in. */
export function minuteOf(at: number): number {
  return at - (((at % HISTORY_INTERVAL_MS) + HISTORY_INTERVAL_MS) % HISTORY_INTERVAL_MS);
}

/** `x` to two decimals. */
function twoDecimals(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The points of the last `HISTORY_POINTS` minutes at `now`, oldest first,
 * from the buckets kept (accounted up to `last`, in any order; stale ones are
 * ignored) and the `level` of viewers held since `last`. A minute with no
 * viewers has no point. The current minute's mean is over the part of it that
 * has passed (over no time at all, it is the level).
 *
 * The same reading serves the registry's ring and the buckets a cluster keeps
 * in Redis, so that both modes answer alike.
 */
export function historyPoints(buckets: Iterable<MinuteBucket>, level: number, last: number, now: number): HistoryPoint[] {
  const current = minuteOf(now);
  const first = current - (HISTORY_POINTS - 1) * HISTORY_INTERVAL_MS;
  const lastMinute = minuteOf(last);
  const kept = new Map<number, MinuteBucket>();
  for (const bucket of buckets) if (bucket.t >= first && bucket.t <= lastMinute) kept.set(bucket.t, bucket);
  const points: HistoryPoint[] = [];
  for (let t = first; t <= current; t += HISTORY_INTERVAL_MS) {
    const bucket = kept.get(t);
    let peak = bucket?.peak ?? 0;
    let integral = bucket?.integral ?? 0;
    const end = Math.min(now, t + HISTORY_INTERVAL_MS);
    if (level > 0 && t >= lastMinute) {
      peak = Math.max(peak, level);
      integral += level * (end - Math.max(last, t));
    }
    if (peak === 0) continue;
    const elapsed = end - t;
    points.push({ t, peak, mean: twoDecimals(elapsed > 0 ? integral / elapsed : level) });
  }
  return points;
}

const SLOT = 3;

/**
 * One page's last hour: a ring of `HISTORY_POINTS` minute buckets (start,
 * peak, viewers × ms) in one typed array, and the viewers since the last
 * change. A change accounts the time since the previous one (at most the
 * ring's minutes, so O(1)) and raises the current minute's peak.
 */
export class MinuteRing {
  private readonly slots = new Float64Array(HISTORY_POINTS * SLOT).fill(Number.NaN);
  /** Viewers since `last`. */
  level = 0;
  /** When the viewers last changed (epoch ms). */
  last: number;

  constructor(now: number) {
    this.last = now;
  }

  /** The page's viewers became `viewers` at `now`. */
  move(now: number, viewers: number): void {
    this.settle(now);
    if (viewers > 0) {
      const i = this.bucket(minuteOf(now));
      this.slots[i + 1] = Math.max(this.slots[i + 1], viewers);
    }
    this.level = viewers;
    this.last = now;
  }

  points(now: number): HistoryPoint[] {
    return historyPoints(this.buckets(), this.level, this.last, now);
  }

  /** The buckets kept, stale ones included. */
  *buckets(): IterableIterator<MinuteBucket> {
    for (let i = 0; i < this.slots.length; i += SLOT) {
      if (!Number.isNaN(this.slots[i])) yield { t: this.slots[i], peak: this.slots[i + 1], integral: this.slots[i + 2] };
    }
  }

  /** Accounts the level held from `last` until `now`, minute by minute (the ring's minutes at most; a level that ends as a minute starts is not in it). */
  private settle(now: number): void {
    if (this.level === 0 || now <= this.last) return;
    const end = now === minuteOf(now) ? now - HISTORY_INTERVAL_MS : minuteOf(now);
    const start = Math.max(minuteOf(this.last), end - (HISTORY_POINTS - 1) * HISTORY_INTERVAL_MS);
    for (let t = start; t <= end; t += HISTORY_INTERVAL_MS) {
      const i = this.bucket(t);
      this.slots[i + 1] = Math.max(this.slots[i + 1], this.level);
      this.slots[i + 2] += this.level * (Math.min(now, t + HISTORY_INTERVAL_MS) - Math.max(this.last, t));
    }
  }

  /** The index of minute `t`'s bucket, emptied first if it held an older minute. */
  private bucket(t: number): number {
    const i = ((t / HISTORY_INTERVAL_MS) % HISTORY_POINTS) * SLOT;
    if (this.slots[i] !== t) {
      this.slots[i] = t;
      this.slots[i + 1] = 0;
      this.slots[i + 2] = 0;
    }
    return i;
  }
}

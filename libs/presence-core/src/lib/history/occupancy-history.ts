import { HISTORY_INTERVAL_MS, HISTORY_POINTS, type HistoryPoint } from '@presently/protocol';
import type { Clock } from '../clock';
import type { ViewersListener } from '../pages';
import { MinuteRing, minuteOf } from './minute-buckets';

/** How long a page without viewers keeps its history: until its last minute with viewers leaves the hour. */
const KEPT_MS = HISTORY_POINTS * HISTORY_INTERVAL_MS;

/**
 * The occupancy history of the busiest pages: per page a {@link MinuteRing}
 * of its last hour, moved with its viewers in O(1) (amortized), no timer.
 *
 * At most `maxPages` pages keep history. The busiest are the ones with the
 * most viewers now: a page without history starts one when it has more
 * viewers than the least busy page keeping one, which then forgets its
 * history (an empty page counts 0, and of those the one emptied longest ago
 * goes first; a tie keeps the page that has history). The pages keeping
 * history are indexed by their viewers, so the least busy is found without
 * sorting.
 *
 * A page without viewers for an hour keeps nothing: the empty pages wait in
 * the order they emptied, and each change or read forgets those whose last
 * minute with viewers has left the hour.
 */
export class OccupancyHistory implements ViewersListener {
  private readonly rings = new Map<string, MinuteRing>();
  /** Viewers → the pages keeping history with that many, in the order they got there (0: the order they emptied). */
  private readonly byViewers = new Map<number, Set<string>>();
  /** At most the fewest viewers of a page keeping history (raised when looked for). */
  private least = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxPages: number,
  ) {}

  viewersMoved(page: string, before: number, after: number): void {
    const now = this.clock.now();
    this.forget(now);
    let ring = this.rings.get(page);
    if (!ring) {
      if (after === 0 || !this.admit(after)) return;
      ring = new MinuteRing(now);
      this.rings.set(page, ring);
    } else {
      this.unindex(page, ring.level);
    }
    ring.move(now, after);
    this.index(page, after);
  }

  /** The page's points of the last hour, oldest first. */
  points(page: string): HistoryPoint[] {
    const now = this.clock.now();
    this.forget(now);
    return this.rings.get(page)?.points(now) ?? [];
  }

  /** Pages keeping history. */
  get size(): number {
    return this.rings.size;
  }

  /** Whether a page now at `viewers` may keep history: room is left, or it is busier than the least busy (who then forgets). */
  private admit(viewers: number): boolean {
    if (this.rings.size < this.maxPages) return true;
    if (this.maxPages === 0) return false;
    let least = this.byViewers.get(this.least);
    while (!least?.size) least = this.byViewers.get(++this.least);
    if (viewers <= this.least) return false;
    const [evicted] = least;
    this.drop(evicted, this.least);
    return true;
  }

  /** Forgets the empty pages whose last minute with viewers has left the hour. */
  private forget(now: number): void {
    const empty = this.byViewers.get(0);
    if (!empty) return;
    for (const page of empty) {
      const ring = this.rings.get(page);
      if (ring && minuteOf(ring.last) + KEPT_MS > minuteOf(now)) break;
      this.drop(page, 0);
    }
  }

  private drop(page: string, viewers: number): void {
    this.unindex(page, viewers);
    this.rings.delete(page);
  }

  private index(page: string, viewers: number): void {
    let pages = this.byViewers.get(viewers);
    if (!pages) this.byViewers.set(viewers, (pages = new Set()));
    pages.add(page);
    if (viewers < this.least || this.rings.size === 1) this.least = viewers;
  }

  private unindex(page: string, viewers: number): void {
    const pages = this.byViewers.get(viewers);
    if (!pages) return;
    pages.delete(page);
    if (pages.size === 0) this.byViewers.delete(viewers);
  }
}

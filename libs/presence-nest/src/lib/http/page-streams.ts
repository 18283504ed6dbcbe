import { STREAM_HEARTBEAT_MS, type PageCounts } from '@presently/protocol';
import type { Clock, PageCountSink, TimerHandle } from '@presently/presence-core';
import type { EventStream } from './event-stream';

/**
 * The open `/api/pages/live` streams by page and rate. As a sink it delivers
 * each page's coalesced counts to that page's streams at the page's own rate
 * (streams carry page counts only); a stream that chose a slower rate
 * (`every`) is grouped with the others of its page and rate, which hear
 * `pageCountAt` (see `RatedDeliveries`). While any stream is open, every
 * stream gets a comment line each `STREAM_HEARTBEAT_MS`.
 */
export class PageStreams implements PageCountSink {
  /** Every open stream of a page, whatever its rate. */
  private readonly byPage = new Map<string, Set<EventStream>>();
  /** The streams of a page at a slower rate, by `${every}:${page}`. */
  private readonly byRate = new Map<string, Set<EventStream>>();
  private open = 0;
  private heartbeat: TimerHandle | null = null;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.open;
  }

  /** The pages with an open stream. */
  pages(): Iterable<string> {
    return this.byPage.keys();
  }

  /** Whether a stream is open on `page`. */
  has(page: string): boolean {
    return this.byPage.has(page);
  }

  add(stream: EventStream): void {
    let streams = this.byPage.get(stream.page);
    if (!streams) this.byPage.set(stream.page, (streams = new Set()));
    if (streams.has(stream)) return;
    streams.add(stream);
    if (stream.every !== null) {
      const key = rateKey(stream.page, stream.every);
      let rated = this.byRate.get(key);
      if (!rated) this.byRate.set(key, (rated = new Set()));
      rated.add(stream);
    }
    if (this.open++ === 0) this.scheduleHeartbeat();
  }

  /** Whether a stream is open on `page` at the slower rate `every`. */
  hasAt(page: string, every: number): boolean {
    return this.byRate.has(rateKey(page, every));
  }

  delete(stream: EventStream): void {
    const streams = this.byPage.get(stream.page);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) this.byPage.delete(stream.page);
    if (stream.every !== null) {
      const key = rateKey(stream.page, stream.every);
      const rated = this.byRate.get(key);
      if (rated?.delete(stream) && rated.size === 0) this.byRate.delete(key);
    }
    if (--this.open === 0 && this.heartbeat !== null) {
      this.clock.clearTimer(this.heartbeat);
      this.heartbeat = null;
    }
  }

  /** Ends every stream (shutdown); their readers reconnect elsewhere. */
  closeAll(): void {
    for (const streams of [...this.byPage.values()]) {
      for (const stream of [...streams]) {
        this.delete(stream);
        stream.close();
      }
    }
  }

  /** The page's counts at its own rate, to its streams that did not choose a slower one. */
  pageCount(counts: PageCounts): void {
    const streams = this.byPage.get(counts.page);
    if (streams) for (const stream of streams) if (stream.every === null) stream.count(counts);
  }

  /** The page's counts at the slower rate `every`, to the streams that chose it. */
  pageCountAt(every: number, counts: PageCounts): void {
    const streams = this.byRate.get(rateKey(counts.page, every));
    if (streams) for (const stream of streams) stream.count(counts);
  }

  private scheduleHeartbeat(): void {
    this.heartbeat = this.clock.setTimer(STREAM_HEARTBEAT_MS, () => {
      this.heartbeat = null;
      if (this.open === 0) return;
      for (const streams of this.byPage.values()) {
        for (const stream of streams) stream.comment();
      }
      this.scheduleHeartbeat();
    });
  }
}

function rateKey(page: string, every: number): string {
  return `${every}:${page}`;
}

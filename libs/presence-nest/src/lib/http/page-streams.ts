import { STREAM_HEARTBEAT_MS, type PageCounts } from '@presently/protocol';
import type { Clock, PageCountSink, TimerHandle } from '@presently/presence-core';
import type { EventStream } from './event-stream';

/**
 * The open `/api/pages/live` streams by page. As a sink it delivers each
 * page's coalesced counts to that page's streams (streams carry page counts
 * only); while any stream is open, every stream gets a comment
 * line each `STREAM_HEARTBEAT_MS`.
 */
export class PageStreams implements PageCountSink {
  private readonly byPage = new Map<string, Set<EventStream>>();
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
    if (this.open++ === 0) this.scheduleHeartbeat();
  }

  delete(stream: EventStream): void {
    const streams = this.byPage.get(stream.page);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) this.byPage.delete(stream.page);
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

  pageCount(counts: PageCounts): void {
    const streams = this.byPage.get(counts.page);
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

import type { ServerResponse } from 'node:http';
import { StreamEvents, STREAM_RETRY_MS, type PageCounts } from '@presently/protocol';

/**
 * One Server-Sent Events response: named events with JSON data, and comment
 * lines. Writes after the client went away are dropped, never thrown.
 */
export class EventStream {
  private lastCount: PageCounts | null = null;

  constructor(
    /** The page whose counts this stream carries. */
    readonly page: string,
    private readonly response: ServerResponse,
    /** The slower rate its reader chose (ms), or null: the page's own. */
    readonly every: number | null = null,
  ) {
    // A write racing the client's disconnect must not become an unhandled 'error'.
    response.on('error', () => undefined);
  }

  /** Sends the headers and the reconnection delay. */
  open(): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.write(`retry: ${STREAM_RETRY_MS}\n\n`);
  }

  send(event: string, data: unknown): void {
    // JSON.stringify escapes CR and LF, so the data is one line.
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * A `count` event, unless it repeats the last one this stream sent (the
   * first announcement after a stream opened carries the counts its
   * opening already reported).
   */
  count(counts: PageCounts): void {
    const last = this.lastCount;
    if (last && last.viewers === counts.viewers && last.connections === counts.connections && last.active === counts.active) return;
    this.lastCount = counts;
    this.send(StreamEvents.Count, counts);
  }

  /** A comment line: ignored by EventSource, keeps proxies from closing an idle stream. */
  comment(): void {
    this.write(': keep-alive\n\n');
  }

  close(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  private write(chunk: string): void {
    if (!this.response.destroyed && !this.response.writableEnded) this.response.write(chunk);
  }
}

import { KeyedStreams } from './keyed-streams';
import type { Link } from './link';
import { transient } from './presence-error';

export interface WatchRequests<T> {
  /** Starts watching `key` on the server; hands its current value to `applied` as the ack arrives (see `Link.request`). */
  watch(key: string, applied: (value: T) => void): Promise<unknown>;
  unwatch(key: string): Promise<unknown>;
}

/**
 * Server-side watches that last while someone subscribes (the stats, polls):
 * the first subscriber of a key sends its watch request (the ack is the first
 * value, pushes follow), the last one to unsubscribe sends the unwatch.
 * `restore()` watches everything again on a new socket. A watch the server
 * refuses fails that key's stream with the PresenceError.
 */
export class ServerWatches<T> {
  private readonly onServer = new Set<string>();
  private readonly latest = new Map<string, T>();
  private readonly streams: KeyedStreams<T>;
  private closed = false;

  constructor(
    private readonly link: Link,
    private readonly requests: WatchRequests<T>,
    equal: (a: T, b: T) => boolean,
  ) {
    this.streams = new KeyedStreams<T>({
      latest: (key) => this.latest.get(key),
      demand: (key) => this.sync(key),
      equal,
    });
  }

  stream(key: string) {
    return this.streams.stream(key);
  }

  /** A pushed value, or one from an ack; kept only while someone watches. */
  update(key: string, value: T): void {
    if (!this.streams.watched(key)) return;
    this.latest.set(key, value);
    this.streams.next(key, value);
  }

  restore(): Array<Promise<void>> {
    this.onServer.clear();
    return this.streams.keys().map((key) => this.send(key));
  }

  complete(): void {
    this.closed = true;
    this.streams.complete();
  }

  private sync(key: string): void {
    if (!this.streams.watched(key)) this.latest.delete(key);
    if (this.closed || !this.link.connected) return;
    if (this.streams.watched(key) && !this.onServer.has(key)) void this.send(key);
    else if (!this.streams.watched(key) && this.onServer.has(key)) {
      this.onServer.delete(key);
      this.requests.unwatch(key).catch(() => undefined);
    }
  }

  private async send(key: string): Promise<void> {
    this.onServer.add(key);
    try {
      await this.requests.watch(key, (value) => this.update(key, value));
    } catch (error) {
      if (transient(error)) return;
      this.onServer.delete(key);
      this.streams.error(key, error);
    }
  }
}

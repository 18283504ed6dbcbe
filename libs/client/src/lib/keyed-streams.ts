import { distinctUntilChanged, Observable, ReplaySubject, share, Subject } from 'rxjs';

export interface KeyedStreamsHooks<T> {
  /** The value a new subscriber gets at once, if there is one. */
  latest(key: string): T | undefined;
  /** A key got its first subscriber or lost its last one: start or stop watching it. */
  demand(key: string): void;
  /** Values equal to the one before are not emitted again (a resync that changed nothing). */
  equal(a: T, b: T): boolean;
}

interface Live<T> {
  subscribers: number;
  values: Subject<T>;
}

/**
 * One shared stream per key (a page, a poll, the stats), reference counted:
 * the first subscriber of a key makes the owner watch it, the last one to
 * unsubscribe makes it stop. All subscribers of a key share one subscription
 * through `share` with a `ReplaySubject(1)`, so a late subscriber gets the
 * current value at once; the same key gives the same observable while it is
 * in use.
 */
export class KeyedStreams<T> {
  private readonly streams = new Map<string, Observable<T>>();
  private readonly live = new Map<string, Live<T>>();
  private closed = false;

  constructor(private readonly hooks: KeyedStreamsHooks<T>) {}

  stream(key: string): Observable<T> {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = this.source(key).pipe(
        distinctUntilChanged(this.hooks.equal),
        share({ connector: () => new ReplaySubject<T>(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true }),
      );
      this.streams.set(key, stream);
    }
    return stream;
  }

  /** Whether anyone is subscribed to `key`. */
  watched(key: string): boolean {
    return this.live.has(key);
  }

  /** The keys someone is subscribed to. */
  keys(): string[] {
    return [...this.live.keys()];
  }

  next(key: string, value: T): void {
    this.live.get(key)?.values.next(value);
  }

  /** Fails the key's stream (its subscribers get `error`); a later subscription starts afresh. */
  error(key: string, error: unknown): void {
    this.live.get(key)?.values.error(error);
  }

  /** Completes every stream, now and later. */
  complete(): void {
    this.closed = true;
    for (const live of [...this.live.values()]) live.values.complete();
  }

  private source(key: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      let live = this.live.get(key);
      const first = !live;
      if (!live) {
        live = { subscribers: 0, values: new Subject<T>() };
        this.live.set(key, live);
      }
      const entry = live;
      entry.subscribers += 1;
      const latest = this.hooks.latest(key);
      if (latest !== undefined) subscriber.next(latest);
      const inner = entry.values.subscribe(subscriber);
      if (first) this.hooks.demand(key);
      return () => {
        inner.unsubscribe();
        entry.subscribers -= 1;
        if (entry.subscribers > 0 || this.live.get(key) !== entry) return;
        this.live.delete(key);
        this.streams.delete(key);
        this.hooks.demand(key);
      };
    });
  }
}

import { Announced, Coalescer, type Clock } from '@presently/presence-core';

export interface ClusterAnnouncerOptions<K, V> {
  intervalMs: number;
  /** Reads the cluster-wide value; a rejection skips this round. */
  read(key: K): Promise<V>;
  same(a: V, b: V): boolean;
  /** Sends to this process's own subscribers only. */
  deliver(key: K, value: V): void;
  /** Whether this process has subscribers of `key`: without any, changes are ignored. */
  wanted(key: K): boolean;
}

/**
 * Per-process announcements of figures that change anywhere in the cluster:
 * the core's {@link Coalescer} paces the reads of each key (a change of a
 * quiet key is read at once, further changes within `intervalMs` merge
 * into one read when it ends), and each key's {@link Announced} decides
 * whether what was read must go out (it differs from what the sockets were
 * sent, or from what one of them was acked). So a hot page costs each
 * process at most one announcement per interval, however many processes
 * change it.
 */
export class ClusterAnnouncer<K, V> {
  private readonly figures = new Map<K, Announced<V, string>>();
  /** When each key was last delivered, on {@link mark}'s scale. */
  private readonly delivered = new Map<K, number>();
  private deliveries = 0;
  private readonly coalescer: Coalescer<K>;
  private disposed = false;

  constructor(
    clock: Clock,
    private readonly options: ClusterAnnouncerOptions<K, V>,
  ) {
    this.coalescer = new Coalescer(
      clock,
      options.intervalMs,
      (key) => this.read(key),
      (key) => this.idle(key),
    );
  }

  /** Something about `key` changed somewhere. */
  touch(key: K): void {
    if (!this.disposed && this.options.wanted(key)) this.coalescer.touch(key);
  }

  /**
   * `subscriber` was answered `value` directly (an ack, or local figures
   * while the cluster was unreachable): it is owed the next announcement if
   * that differs. For a key never announced its first read goes out anyway,
   * so nothing needs noting, unless `remember`: then what it holds is kept
   * (for {@link lastFor}) until the key has no subscriber here any more
   * ({@link unfollowed}).
   */
  acked(key: K, subscriber: string, value: V, remember = false): void {
    let figure = this.figures.get(key);
    if (!figure && remember) this.figures.set(key, (figure = new Announced<V, string>(this.options.same)));
    figure?.acked(subscriber, value);
  }

  /** What `subscriber` holds of `key`, as far as is known: its own value, else the last one announced; undefined if neither. */
  lastFor(key: K, subscriber: string): V | undefined {
    return this.figures.get(key)?.lastFor(subscriber);
  }

  /** `subscriber` stopped listening to `key`: it is owed nothing. */
  forget(key: K, subscriber: string): void {
    this.figures.get(key)?.forget(subscriber);
  }

  /** `key` may have no subscriber here any more: what was kept for it goes, unless it is still wanted. */
  unfollowed(key: K): void {
    if (!this.options.wanted(key)) this.drop(key);
  }

  /** A point in this announcer's deliveries, for {@link deliveredSince}. */
  mark(): number {
    return this.deliveries;
  }

  /** The value last delivered for `key` if that was after `mark`: what a subscriber listening since then holds. */
  deliveredSince(key: K, mark: number): V | undefined {
    return (this.delivered.get(key) ?? 0) > mark ? this.figures.get(key)?.last : undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.coalescer.dispose();
    this.figures.clear();
  }

  /** Reads `key` and announces it if due; the key cools for `intervalMs` from now either way. */
  private read(key: K): boolean {
    let figure = this.figures.get(key);
    if (!figure) this.figures.set(key, (figure = new Announced<V, string>(this.options.same)));
    const announced = figure;
    this.options.read(key).then(
      (value) => {
        if (this.disposed || !announced.due(value)) return;
        this.delivered.set(key, ++this.deliveries);
        this.options.deliver(key, value);
      },
      () => undefined,
    );
    return true;
  }

  private idle(key: K): void {
    if (!this.options.wanted(key)) this.drop(key);
  }

  private drop(key: K): void {
    this.figures.delete(key);
    this.delivered.delete(key);
  }
}

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
   * that differs. Nothing to note for a key never announced: its first read
   * goes out anyway.
   */
  acked(key: K, subscriber: string, value: V): void {
    this.figures.get(key)?.acked(subscriber, value);
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
        if (!this.disposed && announced.due(value)) this.options.deliver(key, value);
      },
      () => undefined,
    );
    return true;
  }

  private idle(key: K): void {
    if (!this.options.wanted(key)) this.figures.delete(key);
  }
}

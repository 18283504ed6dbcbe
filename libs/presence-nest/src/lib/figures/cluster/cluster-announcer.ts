import type { Clock, TimerHandle } from '@presently/presence-core';

interface KeyState<V> {
  cooling: TimerHandle | null;
  pending: boolean;
  sent: V | null;
  /** A subscriber was acked with a value other than `sent`: the next read is sent even if unchanged. */
  owed: boolean;
}

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
 * Per-process coalescing of figures that change anywhere in the cluster: a
 * change of a quiet key is read and sent at once (leading edge), further
 * changes within `intervalMs` are merged into one read when it ends (trailing
 * edge), and a value equal to the last one sent is not sent again. So a hot
 * page costs each process at most one announcement per interval, however
 * many processes change it.
 */
export class ClusterAnnouncer<K, V> {
  private readonly keys = new Map<K, KeyState<V>>();
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: ClusterAnnouncerOptions<K, V>,
  ) {}

  /** Something about `key` changed somewhere. */
  touch(key: K): void {
    if (this.disposed || !this.options.wanted(key)) return;
    let state = this.keys.get(key);
    if (!state) this.keys.set(key, (state = { cooling: null, pending: false, sent: null, owed: false }));
    if (state.cooling) state.pending = true;
    else this.fire(key, state);
  }

  /** A subscriber was answered `value` directly (an ack): it is owed the next announcement if that differs from what was sent. */
  acked(key: K, value: V): void {
    const state = this.keys.get(key);
    if (state?.sent && !this.options.same(state.sent, value)) state.owed = true;
  }

  dispose(): void {
    this.disposed = true;
    for (const state of this.keys.values()) if (state.cooling) this.clock.clearTimer(state.cooling);
    this.keys.clear();
  }

  private fire(key: K, state: KeyState<V>): void {
    state.cooling = this.clock.setTimer(this.options.intervalMs, () => this.cool(key, state));
    this.options.read(key).then(
      (value) => {
        if (this.disposed) return;
        if (state.sent && this.options.same(state.sent, value) && !state.owed) return;
        state.sent = value;
        state.owed = false;
        this.options.deliver(key, value);
      },
      () => undefined,
    );
  }

  private cool(key: K, state: KeyState<V>): void {
    state.cooling = null;
    if (this.disposed) return;
    if (state.pending) {
      state.pending = false;
      this.fire(key, state);
    } else if (!this.options.wanted(key)) {
      this.keys.delete(key);
    }
  }
}

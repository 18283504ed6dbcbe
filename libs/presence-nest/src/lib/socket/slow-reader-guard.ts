import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SlowReaders, type TimerHandle } from '@presently/presence-core';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { PresenceRegistry } from '../presence-registry';
import { closeNow, outgoingBytes } from './outgoing-buffer';
import type { PresenceNamespace } from './presence-socket';

/** Default `maxBufferedBytes`: more than the largest legitimate burst (a full roster ack, a catch-up). */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Default `slowClientMs`. */
export const DEFAULT_SLOW_CLIENT_MS = 5000;

/**
 * Disconnects the sockets that do not read what they are sent: one sweep
 * over the namespace's sockets every {@link SlowReaders.sweepIntervalMs}
 * (no timer per socket) measures each one's outgoing buffer
 * ({@link outgoingBytes}), and {@link SlowReaders} says which stayed above
 * `maxBufferedBytes` for longer than `slowClientMs`. Such a socket is closed
 * at once, its buffers dropped; the gateway sees an ordinary disconnect, so
 * its presence is held for the grace period like any other. Counted in the
 * metrics (`presently_slow_clients_disconnected_total`, and the gauge
 * `presently_slow_clients` of the sockets above the bound now).
 */
@Injectable()
export class SlowReaderGuard implements OnModuleDestroy {
  private readonly logger = new Logger('SlowReaderGuard');
  private readonly readers: SlowReaders<string>;
  private readonly maxBufferedBytes: number;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.readers = new SlowReaders(registry.clock, {
      maxBufferedBytes: this.maxBufferedBytes,
      slowMs: options.slowClientMs ?? DEFAULT_SLOW_CLIENT_MS,
    });
  }

  /** Starts sweeping the namespace's sockets (once the gateway is up). */
  start(namespace: PresenceNamespace): void {
    if (!this.readers.enabled || this.timer !== null || this.stopped) return;
    const sweep = () => {
      this.sweep(namespace);
      if (!this.stopped) this.timer = this.registry.clock.setTimer(this.readers.sweepIntervalMs, sweep);
    };
    this.timer = this.registry.clock.setTimer(this.readers.sweepIntervalMs, sweep);
  }

  /** A socket went away: nothing of it is kept. */
  forget(socketId: string): void {
    this.readers.forget(socketId);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer !== null) this.registry.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private sweep(namespace: PresenceNamespace): void {
    for (const socket of namespace.sockets.values()) {
      const buffered = outgoingBytes(socket.conn, this.maxBufferedBytes);
      if (!this.readers.sample(socket.id, buffered)) continue;
      this.logger.log({ msg: 'slow reader disconnected', socket: socket.id, bufferedBytes: buffered, transport: socket.conn.transport.name });
      this.metrics.slowClientDisconnected();
      closeNow(socket.conn);
    }
    this.metrics.slowClients(this.readers.over);
  }
}

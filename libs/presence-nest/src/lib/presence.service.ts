import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { STATS_INTERVAL_MS } from '@presently/protocol';
import { Presence, systemClock } from '@presently/presence-core';
import type { Namespace } from 'socket.io';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import { SocketIoSink } from './socket-io.sink';

/**
 * Owns the process's presence registry and wires its announcements to the
 * Socket.IO namespace once the gateway is up. Timers stop on shutdown.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  readonly presence: Presence;
  private readonly sink = new SocketIoSink();

  constructor(@Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions) {
    this.presence = new Presence(options.clock ?? systemClock, this.sink, {
      graceMs: options.graceMs,
      countIntervalMs: options.countIntervalMs,
      statsIntervalMs: STATS_INTERVAL_MS,
      maxPagesPerSocket: options.maxPagesPerSocket,
      maxWatchedPerSocket: options.maxWatchedPerSocket,
      maxRoomsPerSocket: options.maxRoomsPerSocket,
    });
  }

  attach(namespace: Namespace): void {
    this.sink.attach(namespace);
  }

  onModuleDestroy(): void {
    this.presence.dispose();
  }
}

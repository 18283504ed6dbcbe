import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { STATS_INTERVAL_MS } from '@presently/protocol';
import { type Clock, Presence, systemClock, TokenBucket } from '@presently/presence-core';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import type { PresenceNamespace } from './presence-socket';
import { SocketIoSink } from './socket-io.sink';

/**
 * Owns the process's presence registry and wires its announcements to the
 * Socket.IO namespace once the gateway is up. Timers stop on shutdown.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  readonly presence: Presence;
  readonly clock: Clock;
  private readonly sink = new SocketIoSink();

  constructor(@Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions) {
    this.clock = options.clock ?? systemClock;
    this.presence = new Presence(this.clock, this.sink, { statsIntervalMs: STATS_INTERVAL_MS, ...options });
  }

  /** A new connection's event budget. */
  eventBudget(): TokenBucket {
    return new TokenBucket(this.options.rateLimitPerS, this.options.rateLimitBurst, this.clock.now());
  }

  attach(namespace: PresenceNamespace): void {
    this.sink.attach(namespace);
  }

  onModuleDestroy(): void {
    this.presence.dispose();
  }
}

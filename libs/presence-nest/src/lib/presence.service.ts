import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { STATS_INTERVAL_MS } from '@presently/protocol';
import { type Clock, Presence, systemClock, TokenBucket } from '@presently/presence-core';
import { FanOutSink } from './fan-out-sink';
import { PresenceEvents } from './lifecycle-events';
import { PageStreams } from './page-streams';
import { PresenceMetrics } from './presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import type { PresenceNamespace } from './presence-socket';
import { SocketIoSink } from './socket-io.sink';

/**
 * Owns the process's presence registry and wires its announcements to the
 * Socket.IO namespace once the gateway is up, to the open SSE streams, to the
 * lifecycle stream and to the metrics. Streams end and timers stop on shutdown.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  readonly presence: Presence;
  readonly clock: Clock;
  /** The open `/api/pages/live` streams. */
  readonly streams: PageStreams;
  private readonly sink = new SocketIoSink();
  private attached: PresenceNamespace | null = null;

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    events: PresenceEvents,
    metrics: PresenceMetrics,
  ) {
    this.clock = options.clock ?? systemClock;
    this.streams = new PageStreams(this.clock);
    const sink = new FanOutSink([this.sink, this.streams, events, metrics]);
    this.presence = new Presence(this.clock, sink, { statsIntervalMs: STATS_INTERVAL_MS, ...options });
    metrics.track(this.presence);
  }

  /** The `/presence` namespace, once the gateway is up. */
  get namespace(): PresenceNamespace | null {
    return this.attached;
  }

  /** A new connection's event budget. */
  eventBudget(): TokenBucket {
    return new TokenBucket(this.options.rateLimitPerS, this.options.rateLimitBurst, this.clock.now());
  }

  attach(namespace: PresenceNamespace): void {
    this.attached = namespace;
    this.sink.attach(namespace);
  }

  onModuleDestroy(): void {
    this.streams.closeAll();
    this.presence.dispose();
  }
}

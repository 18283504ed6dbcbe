import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { STATS_INTERVAL_MS } from '@presently/protocol';
import { type Clock, type OccupancySink, type PresenceSink, Presence, systemClock, TokenBucket } from '@presently/presence-core';
import { PresenceLifecycle } from './hooks/presence-lifecycle';
import { PresenceMetrics } from './hooks/presence-metrics';
import { PageStreams } from './http/page-streams';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import { FanOutSink } from './sinks/fan-out-sink';
import { RatedDeliveries } from './sinks/rated-deliveries';
import { SocketIoSink } from './sinks/socket-io.sink';
import type { PresenceNamespace } from './socket/presence-socket';
import { WebhookPublisher } from './webhooks/webhook-publisher';

/**
 * The process's presence registry (its own connections, pages and rooms)
 * and where announcements are delivered: {@link deliveries} sends each one
 * to the Socket.IO channels, the open SSE streams, the lifecycle stream and
 * the metrics, so that what is counted is what went out.
 *
 * In one process the registry's announcements are the deliveries. With a
 * cluster (`REDIS_URL`) the registry announces nothing: it reports its
 * contributions to the cluster, and the cluster figures deliver the
 * cluster-wide counts and room events (see `ClusterFigures`).
 *
 * Each change of who is present goes to {@link occupancy} (the webhooks,
 * when configured): from the registry in one process, from the cluster
 * store's answers with a cluster, which decides each once.
 */
@Injectable()
export class PresenceRegistry implements BeforeApplicationShutdown {
  readonly presence: Presence;
  readonly clock: Clock;
  /** The open `/api/pages/live` streams. */
  readonly streams: PageStreams;
  /** The deliveries at the rates watchers chose (`every`), fed by {@link deliveries}. */
  readonly rates: RatedDeliveries;
  /** Every announcement goes out through here, in one process and in a cluster. */
  readonly deliveries: PresenceSink;
  /** Where each change of who is present goes; null when nothing listens (no webhooks). */
  readonly occupancy: OccupancySink | null;
  private readonly socketIo: SocketIoSink;
  private attached: PresenceNamespace | null = null;
  private readonly roomListeners: Array<(room: string) => void> = [];
  private readonly channelListeners: Array<(channel: string) => void> = [];

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    lifecycle: PresenceLifecycle,
    metrics: PresenceMetrics,
    webhooks: WebhookPublisher,
  ) {
    this.clock = options.clock ?? systemClock;
    this.streams = new PageStreams(this.clock);
    // In a cluster every process sends the counts to its own sockets; room events are broadcast by the process that decided them.
    this.socketIo = new SocketIoSink({
      countsToLocalSocketsOnly: options.cluster !== undefined,
      roomChanged: (room) => this.roomChanged(room),
    });
    this.rates = new RatedDeliveries({
      clock: this.clock,
      countIntervalMs: options.countIntervalMs,
      socketIo: this.socketIo,
      streams: this.streams,
      subscribers: (channel) => this.subscribers(channel),
    });
    this.deliveries = new FanOutSink([this.socketIo, this.streams, this.rates, lifecycle, metrics]);
    // With a cluster the registry announces nothing: the cluster figures deliver the cluster-wide ones.
    const sink = options.cluster ? null : this.deliveries;
    this.occupancy = webhooks.enabled ? webhooks : null;
    this.presence = new Presence(
      this.clock,
      sink,
      { statsIntervalMs: STATS_INTERVAL_MS, ...options },
      options.cluster ?? null,
      options.cluster ? null : this.occupancy,
    );
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
    this.socketIo.attach(namespace);
    namespace.adapter.on('delete-room', (channel: string) => {
      for (const listener of this.channelListeners) listener(channel);
    });
  }

  /** Calls `listener` with each Socket.IO channel that no local socket is in any more. */
  onChannelDeleted(listener: (channel: string) => void): void {
    this.channelListeners.push(listener);
  }

  /** Calls `listener` with a room whose member list this process changed or announced as changed. */
  onRoomChanged(listener: (room: string) => void): void {
    this.roomListeners.push(listener);
  }

  /**
   * `room`'s member list may have changed here: an announcement went out, or
   * a socket joined (a join that takes a held place over, or comes back on
   * another process, announces nothing, yet others may have been told it left).
   */
  roomChanged(room: string): void {
    for (const listener of this.roomListeners) listener(room);
  }

  /** How many local sockets are in a Socket.IO channel. */
  subscribers(channel: string): number {
    return this.attached?.adapter.rooms.get(channel)?.size ?? 0;
  }

  /**
   * Once every provider's own shutdown is done (a cluster's hand-off
   * included), before the servers close: streams end, timers stop, and in
   * one process everyone's presence ends with it (the occupancy hears so).
   */
  beforeApplicationShutdown(): void {
    this.streams.closeAll();
    this.rates.dispose();
    this.presence.dispose();
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DEFAULT_LIMITS, Events, STATS_INTERVAL_MS, type Member, type PageCounts, type Stats } from '@presently/protocol';
import { type Clock, type PresenceCluster, type PresenceSink, Presence, systemClock, TokenBucket } from '@presently/presence-core';
import { pageChannel, roomChannel, STATS_CHANNEL } from './channels';
import { BatchedReads } from './batched-reads';
import { ClusterAnnouncer } from './cluster-announcer';
import { FanOutSink } from './fan-out-sink';
import { PresenceEvents } from './lifecycle-events';
import { PageStreams } from './page-streams';
import { PresenceMetrics } from './presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import type { PresenceNamespace } from './presence-socket';
import { SocketIoSink } from './socket-io.sink';

/** A room as a join ack lists it: at most `ROSTER_MAX` members, the total, and the asking member as the cluster knows it (null: as this process knows it). */
export interface Roster {
  members: Member[];
  total: number;
  self: Member | null;
}

/**
 * Owns the process's presence registry and wires its announcements to the
 * Socket.IO namespace once the gateway is up, to the open SSE streams, to the
 * lifecycle stream and to the metrics. Streams end and timers stop on shutdown.
 *
 * With a cluster (`REDIS_URL`), the registry holds this process's own
 * connections and reports its contributions to the cluster; counts and stats
 * are read from the cluster, announced to this process's own subscribers by
 * {@link ClusterAnnouncer}s, and fall back to the local figures while the
 * cluster is unreachable.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly presence: Presence;
  readonly clock: Clock;
  /** The open `/api/pages/live` streams. */
  readonly streams: PageStreams;
  readonly cluster: PresenceCluster | null;
  private readonly logger = new Logger('Presence');
  private readonly sink = new SocketIoSink();
  private attached: PresenceNamespace | null = null;
  private readonly pageAnnouncer: ClusterAnnouncer<string, PageCounts> | null = null;
  private readonly statsAnnouncer: ClusterAnnouncer<null, Stats> | null = null;
  private readonly roomAnnouncer: ClusterAnnouncer<string, number> | null = null;
  /** A burst of joins of one room reads its roster from the cluster about twice, not once per join. */
  private readonly rosterReads = new BatchedReads<string, string | undefined, Roster>((room, selfKeys) => this.readRosters(room, selfKeys));
  private readonly roomEvents: PresenceSink;

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    events: PresenceEvents,
    metrics: PresenceMetrics,
  ) {
    this.clock = options.clock ?? systemClock;
    this.streams = new PageStreams(this.clock);
    this.cluster = options.cluster ?? null;
    // With a cluster, the registry's own announcements are not the answer: counts and stats come
    // from the cluster announcers, room events from the cluster store's outcomes.
    const sink = new FanOutSink(this.cluster ? [metrics] : [this.sink, this.streams, events, metrics]);
    this.roomEvents = new FanOutSink([this.sink, events]);
    const statsIntervalMs = STATS_INTERVAL_MS;
    this.presence = new Presence(this.clock, sink, { statsIntervalMs, ...options }, this.cluster);
    metrics.track(this.presence);
    if (this.cluster) {
      const cluster = this.cluster;
      this.pageAnnouncer = new ClusterAnnouncer(this.clock, {
        intervalMs: options.countIntervalMs,
        read: async (page) => (await cluster.pageCounts([page]))[0],
        same: (a, b) => a.viewers === b.viewers && a.connections === b.connections,
        deliver: (page, counts) => {
          this.attached?.local.to(pageChannel(page)).emit(Events.PageCount, counts);
          this.streams.pageCount(counts);
          events.pageCount(counts);
        },
        wanted: (page) => this.streams.has(page) || (this.attached?.adapter.rooms.get(pageChannel(page))?.size ?? 0) > 0,
      });
      // A large room's room:count, coalesced per process like page:count.
      this.roomAnnouncer = new ClusterAnnouncer(this.clock, {
        intervalMs: options.countIntervalMs,
        read: (room) => cluster.roomTotal(room),
        same: (a, b) => a === b,
        deliver: (room, total) => {
          this.attached?.local.to(roomChannel(room)).emit(Events.RoomCount, { room, total });
          events.roomCount(room, total);
        },
        wanted: (room) => (this.attached?.adapter.rooms.get(roomChannel(room))?.size ?? 0) > 0,
      });
      this.statsAnnouncer = new ClusterAnnouncer(this.clock, {
        intervalMs: statsIntervalMs,
        read: () => cluster.stats(),
        same: sameStats,
        deliver: (_key, stats) => this.attached?.local.to(STATS_CHANNEL).emit(Events.Stats, stats),
        wanted: () => (this.attached?.adapter.rooms.get(STATS_CHANNEL)?.size ?? 0) > 0,
      });
    }
  }

  /** Told when a poll's tallies changed anywhere in the cluster (the poll service listens). */
  pollChanged: (poll: string) => void = () => undefined;

  /** The `/presence` namespace, once the gateway is up. */
  get namespace(): PresenceNamespace | null {
    return this.attached;
  }

  /** Whether the cluster store (if any) is reachable and holds this process's share. */
  get ready(): boolean {
    return this.cluster?.ready ?? true;
  }

  /** A new connection's event budget. */
  eventBudget(): TokenBucket {
    return new TokenBucket(this.options.rateLimitPerS, this.options.rateLimitBurst, this.clock.now());
  }

  attach(namespace: PresenceNamespace): void {
    this.attached = namespace;
    this.sink.attach(namespace);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.cluster?.start(() => this.presence.contributions(), {
      changed: (page) => (page === null ? this.statsAnnouncer?.touch(null) : this.pageAnnouncer?.touch(page)),
      roomJoined: (room, member, except) => this.roomEvents.roomJoined(room, member, except),
      roomUpdated: (room, member, except) => this.roomEvents.roomUpdated(room, member, except),
      roomLeft: (room, userId, reason, except) => this.roomEvents.roomLeft(room, userId, reason, except),
      roomChanged: (room) => this.roomAnnouncer?.touch(room),
      pollChanged: (poll) => this.pollChanged(poll),
      roomSync: (room, members) => this.roomEvents.roomSync(room, members),
      takenOver: (kind, key, clientId, userKey) => this.presence.takeOver(kind, key, clientId, userKey),
    });
  }

  /**
   * A stopping process of a cluster hands its users over instead of dropping
   * them: it closes its connections, so clients reconnect (through the load
   * balancer) to another process, and each disconnection is held for the
   * grace period as usual. A process the client returns to takes the held
   * place over without a `room:left` or a count moving; one that does not
   * come back expires and is announced here. The share is withdrawn once
   * nothing is held any more, or when `handoffMs` ran out.
   */
  private async handOff(): Promise<void> {
    const namespace = this.attached;
    if (!this.cluster?.ready || !namespace) return;
    const deadline = Date.now() + (this.options.handoffMs ?? this.options.graceMs + 1000);
    do {
      // The engine connections are closed rather than the sockets
      // disconnected: a Socket.IO client reconnects by itself after a
      // transport close, not after a server disconnect. Connections that
      // arrive meanwhile (a balancer still routing here) are sent on too.
      for (const socket of namespace.sockets.values()) socket.conn.close();
      this.streams.closeAll();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while ((namespace.sockets.size > 0 || this.presence.sizes().connections > 0) && Date.now() < deadline);
  }

  /** Resolves once this process's changes so far reached the cluster; null without one. */
  settled(): Promise<void> | null {
    return this.cluster?.settled() ?? null;
  }

  /**
   * Pages' counts as a subscriber is answered them: cluster-wide once this
   * process's earlier changes are applied, local while the cluster is
   * unreachable. Synchronous without a cluster.
   */
  pageCounts(pages: readonly string[]): PageCounts[] | Promise<PageCounts[]> {
    return this.answer(
      () => pages.map((page) => this.presence.pageCounts(page)),
      (cluster) => cluster.pageCounts(pages),
      (counts) => {
        for (const c of counts) this.pageAnnouncer?.acked(c.page, c);
      },
    );
  }

  /**
   * What a join ack and the HTTP view list: at most `ROSTER_MAX` members,
   * earliest first, and the `total`. With a cluster they are cluster-wide,
   * read without the whole room, with the member of `selfKey` (a userKey)
   * as the cluster knows it, and a burst of joins of one room shares one
   * read. Answered as {@link pageCounts} answers counts.
   */
  roster(room: string, selfKey?: string): Roster | Promise<Roster> {
    return this.answer(
      () => ({ ...this.presence.roster(room), self: null }),
      () => this.rosterReads.read(room, selfKey),
      (roster) => this.roomAnnouncer?.acked(room, roster.total),
    );
  }

  /** The global stats, as {@link pageCounts} answers counts. */
  stats(): Stats | Promise<Stats> {
    return this.answer(
      () => this.presence.stats(),
      (cluster) => cluster.stats(),
      (stats) => this.statsAnnouncer?.acked(null, stats),
    );
  }

  /** The rosters of one room for several askers, in one cluster read. */
  private async readRosters(room: string, selfKeys: (string | undefined)[]): Promise<Roster[]> {
    const asked = [...new Set(selfKeys.filter((key): key is string => key !== undefined))];
    if (!this.cluster) throw new Error('rosters are read from a cluster only');
    const roster = await this.cluster.roster(room, this.options.rosterMax ?? DEFAULT_LIMITS.rosterMax, asked);
    return selfKeys.map((key) => ({ members: roster.members, total: roster.total, self: key === undefined ? null : roster.selves[asked.indexOf(key)] }));
  }

  /**
   * A figure as a subscriber is answered it: `local()` without a cluster;
   * with one, `read` once this process's earlier changes are applied, noted
   * with its announcer (`acked`, so the subscriber is owed the next
   * announcement if it differs), and `local()` while the cluster is
   * unreachable.
   */
  private answer<T>(local: () => T, read: (cluster: PresenceCluster) => Promise<T>, acked: (value: T) => void): T | Promise<T> {
    const cluster = this.cluster;
    if (!cluster) return local();
    return cluster
      .settled()
      .then(() => read(cluster))
      .then(
        (value) => {
          acked(value);
          return value;
        },
        (error: unknown) => {
          this.logger.debug({ msg: 'cluster figures unavailable, answering local ones', error: String(error) });
          return local();
        },
      );
  }

  async onModuleDestroy(): Promise<void> {
    await this.handOff();
    this.streams.closeAll();
    this.pageAnnouncer?.dispose();
    this.statsAnnouncer?.dispose();
    this.roomAnnouncer?.dispose();
    this.presence.dispose();
    await this.cluster?.stop();
  }
}

function sameStats(a: Stats, b: Stats): boolean {
  if (a.online.connections !== b.online.connections || a.online.visitors !== b.online.visitors) return false;
  if (a.top.length !== b.top.length) return false;
  return a.top.every((entry, i) => entry.page === b.top[i].page && entry.viewers === b.top[i].viewers);
}

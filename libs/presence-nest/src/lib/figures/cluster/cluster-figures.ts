import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DEFAULT_LIMITS, Events, STATS_INTERVAL_MS, type HistoryPoint, type Member, type PageCounts, type RecentLeaver, type RoomSyncEvent, type Stats } from '@presently/protocol';
import { samePageCounts, sameStats, type ClusterListener, type Followed, type LastSent, type PresenceCluster } from '@presently/presence-core';
import type { PresenceMetrics } from '../../hooks/presence-metrics';
import type { PollChanges } from '../../polls/poll-changes';
import type { PresenceRegistry } from '../../presence-registry';
import { followedChannels, pageChannel, roomChannel, STATS_CHANNEL } from '../../socket/channels';
import { Figures, type CaughtUp, type Roster, type RosterAsker } from '../figures';
import { LocalFigures } from '../local-figures';
import { digestFor, listDigest, type Digest, type RoomView } from '../room-view';
import { BatchedReads } from './batched-reads';
import { ClusterAnnouncer } from './cluster-announcer';

/** How often a stopping process checks whether its users have gone elsewhere (ms). */
const HAND_OFF_POLL_MS = 50;

export interface ClusterFiguresOptions {
  countIntervalMs: number;
  graceMs: number;
  rosterMax?: number;
  handoffMs?: number;
}

/**
 * The figures of every process together (`REDIS_URL` mode). The registry
 * reports this process's contributions to the cluster store; this class
 * reads the cluster-wide answers, delivers the cluster's announcements to
 * this process's own subscribers, and stops the process gracefully.
 *
 * - Answers are read once this process's earlier changes are applied, and
 *   fall back to the local figures while the store is unreachable.
 * - Counts, `room:count`s and stats are announced by {@link ClusterAnnouncer}s:
 *   each process reads a changed figure and sends it to its own sockets,
 *   coalesced per key, and only when it differs from what they hold.
 * - Room events are decided by the store (the process whose change it was
 *   announces it to every process's sockets).
 * - After the store rebuilt a share (Redis restarted, a link came back),
 *   every figure a local socket follows is read again and re-announced,
 *   and every small room it is in gets a `room:sync`: changes made while
 *   Redis was away were not announced.
 */
export class ClusterFigures extends Figures implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ClusterFigures');
  private readonly rosterMax: number;
  private readonly pages: ClusterAnnouncer<string, PageCounts>;
  private readonly largeRooms: ClusterAnnouncer<string, number>;
  private readonly stats$: ClusterAnnouncer<null, Stats>;
  /** After a rebuild: each small room's whole member list and who types, to its local sockets. */
  private readonly roomSyncs: ClusterAnnouncer<string, RoomSyncEvent>;
  /** A burst of joins of one room reads its roster from the cluster about twice, not once per join. */
  private readonly rosterReads = new BatchedReads<string, string | undefined, Roster>((room, selfKeys) => this.readRosters(room, selfKeys));
  /** The digest of each member list read, while it is held (sockets of one room going hidden at once share a read). */
  private readonly digests = new WeakMap<Member[], Digest>();
  /** This process's own figures, the answers while the cluster is unreachable. */
  private readonly local: LocalFigures;

  constructor(
    private readonly cluster: PresenceCluster,
    private readonly registry: PresenceRegistry,
    private readonly options: ClusterFiguresOptions,
    private readonly polls: PollChanges,
    private readonly metrics: PresenceMetrics,
  ) {
    super();
    this.rosterMax = options.rosterMax ?? DEFAULT_LIMITS.rosterMax;
    this.local = new LocalFigures(registry.presence);
    const { clock, deliveries } = registry;
    const intervalMs = options.countIntervalMs;
    this.pages = new ClusterAnnouncer<string, PageCounts>(clock, {
      intervalMs,
      read: async (page) => (await cluster.pageCounts([page]))[0],
      same: samePageCounts,
      deliver: (_page, counts) => deliveries.pageCount(counts),
      wanted: (page) => registry.streams.has(page) || registry.subscribers(pageChannel(page)) > 0 || registry.rates.wantsPage(page),
    });
    this.largeRooms = new ClusterAnnouncer(clock, {
      intervalMs,
      read: (room) => cluster.roomTotal(room),
      same: (a, b) => a === b,
      deliver: (room, total) => deliveries.roomCount(room, total),
      wanted: (room) => registry.subscribers(roomChannel(room)) > 0,
    });
    this.stats$ = new ClusterAnnouncer(clock, {
      intervalMs: STATS_INTERVAL_MS,
      read: () => cluster.stats(),
      same: sameStats,
      deliver: (_key, stats) => deliveries.stats(stats),
      wanted: () => registry.subscribers(STATS_CHANNEL) > 0 || registry.rates.wantsStats(),
    });
    this.roomSyncs = new ClusterAnnouncer(clock, {
      intervalMs,
      read: async (room) => {
        const { members, total, typing } = await cluster.roster(room, 0);
        return { room, members, total, typing };
      },
      // Every read after a rebuild is sent: what the sockets hold is unknown.
      same: () => false,
      deliver: (_room, sync) => this.syncLocally(sync),
      wanted: (room) => registry.subscribers(roomChannel(room)) > 0,
    });
    // What was kept for a channel's sockets goes once none is left here.
    registry.onChannelDeleted((channel) => {
      const [kind, key] = [channel.slice(0, 2), channel.slice(2)];
      if (kind === pageChannel('')) this.pages.unfollowed(key);
      else if (kind === roomChannel('')) this.largeRooms.unfollowed(key);
      else if (channel === STATS_CHANNEL) this.stats$.unfollowed(null);
    });
  }

  get ready(): boolean {
    return this.cluster.ready;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.cluster.start(() => this.registry.presence.contributions(), this.listener());
    this.polls.storeReady();
  }

  settled(): Promise<void> {
    return this.cluster.settled();
  }

  pageCounts(pages: readonly string[], subscriber?: string): Promise<PageCounts[]> {
    return this.answer(
      () => this.local.pageCounts(pages),
      () => this.cluster.pageCounts(pages),
      (counts) => {
        if (this.noting(subscriber)) for (const c of counts) this.pages.acked(c.page, subscriber, c, this.isSocket(subscriber));
      },
    );
  }

  roster(room: string, asker?: RosterAsker): Promise<Roster> {
    return this.answer(
      () => this.local.roster(room),
      () => this.rosterReads.read(room, asker?.userKey),
      (roster) => {
        if (asker && this.noting(asker.id)) this.largeRooms.acked(room, asker.id, roster.total, roster.large);
      },
    );
  }

  async self(room: string, asker: RosterAsker): Promise<Member | null> {
    return (await this.roster(room, asker)).self;
  }

  stats(subscriber?: string): Promise<Stats> {
    return this.answer(
      () => this.local.stats(),
      () => this.cluster.stats(),
      (stats) => {
        if (this.noting(subscriber)) this.stats$.acked(null, subscriber, stats, this.isSocket(subscriber));
      },
    );
  }

  /** Who left `room` lately, cluster-wide; rejects while the store is unreachable (the registry keeps no leavers in a cluster). */
  async recent(room: string): Promise<RecentLeaver[]> {
    await this.cluster.settled();
    return this.cluster.recent(room);
  }

  heldBy(subscriber: string, followed: Followed): LastSent {
    const held: LastSent = {
      pages: followed.pages.map((page) => this.pages.lastFor(page, subscriber)),
      totals: followed.rooms.map((room) => ({ room, total: this.largeRooms.lastFor(room, subscriber) })),
      stats: followed.stats ? this.stats$.lastFor(null, subscriber) : undefined,
    };
    for (const page of followed.pages) this.pages.forget(page, subscriber);
    for (const room of followed.rooms) this.largeRooms.forget(room, subscriber);
    this.stats$.forget(null, subscriber);
    return held;
  }

  caughtUp(asker: RosterAsker, followed: Followed): Promise<CaughtUp> {
    const marks = { pages: this.pages.mark(), rooms: this.largeRooms.mark(), stats: this.stats$.mark() };
    const heard = (): CaughtUp['heard'] => {
      const pages = new Map<string, PageCounts>();
      const totals = new Map<string, number>();
      for (const page of followed.pages) {
        const counts = this.pages.deliveredSince(page, marks.pages);
        if (counts) pages.set(page, counts);
      }
      for (const room of followed.rooms) {
        const total = this.largeRooms.deliveredSince(room, marks.rooms);
        if (total !== undefined) totals.set(room, total);
      }
      return { pages, totals, stats: followed.stats ? this.stats$.deliveredSince(null, marks.stats) : undefined };
    };
    return this.answer(
      () => this.localFigures(asker, followed),
      async (): Promise<CaughtUp> => {
        const [pages, stats, ...rooms] = await Promise.all([
          this.cluster.pageCounts(followed.pages),
          followed.stats ? this.cluster.stats() : undefined,
          ...followed.rooms.map((room) => this.roomView(room, asker)),
        ]);
        return { pages, rooms, stats };
      },
      (figures) => {
        figures.heard = heard();
        for (const counts of figures.pages) this.pages.acked(counts.page, asker.id, counts, true);
        for (const view of figures.rooms) if (view.large) this.largeRooms.acked(view.room, asker.id, view.total, true);
        if (figures.stats) this.stats$.acked(null, asker.id, figures.stats, true);
      },
    );
  }

  async roomView(room: string, asker: RosterAsker): Promise<RoomView> {
    const { members, total, typing, self, large } = await this.rosterReads.read(room, asker.userKey);
    if (large) return { room, large, total };
    let digest = this.digests.get(members);
    if (!digest) this.digests.set(members, (digest = listDigest(members)));
    return { room, large, members, total, typing, digest: digestFor(digest, self, typing) };
  }

  async history(page: string): Promise<HistoryPoint[]> {
    await this.cluster.settled();
    return this.cluster.history(page);
  }

  async onModuleDestroy(): Promise<void> {
    await this.handOff();
    for (const announcer of [this.pages, this.largeRooms, this.stats$, this.roomSyncs]) announcer.dispose();
    await this.cluster.stop();
  }

  /** What the cluster store tells this process. */
  private listener(): ClusterListener {
    const { deliveries, presence, occupancy } = this.registry;
    return {
      // Changes of who is present this process's changes decided: reported by it alone.
      pageOccupied: (page) => occupancy?.pageOccupied(page),
      pageVacated: (page) => occupancy?.pageVacated(page),
      roomOccupied: (room) => occupancy?.roomOccupied(room),
      memberJoined: (room, member) => occupancy?.memberJoined(room, member),
      memberLeft: (room, departure) => occupancy?.memberLeft(room, departure),
      roomVacated: (room) => occupancy?.roomVacated(room),
      changed: (page) => (page === null ? this.stats$.touch(null) : this.pages.touch(page)),
      roomJoined: (room, member, except) => deliveries.roomJoined(room, member, except),
      roomUpdated: (room, member, except, previousUserId) => deliveries.roomUpdated(room, member, except, previousUserId),
      roomLeft: (room, userId, reason, duration, except) => deliveries.roomLeft(room, userId, reason, duration, except),
      roomTyping: (room, userId, typing, except) => deliveries.roomTyping(room, userId, typing, except),
      roomSync: (sync) => deliveries.roomSync(sync),
      roomChanged: (room) => this.largeRooms.touch(room),
      pollChanged: (poll) => this.polls.changed(poll),
      pollClosed: (poll) => this.polls.closed(poll),
      takenOver: (kind, key, clientId, userKey, activity) => presence.takeOver(kind, key, clientId, userKey, activity),
      resynced: () => {
        this.resync();
        // A store that restarted empty lost the declared polls: the configured ones are declared again.
        this.polls.storeReady();
      },
    };
  }

  /**
   * Every figure a local socket or stream follows is read again: counts and
   * stats are sent where they differ from what was last sent or acked, and
   * each room gets its `room:count` (large) or its whole list (small).
   */
  private resync(): void {
    const namespace = this.registry.namespace;
    if (!namespace) return;
    for (const page of followedChannels(namespace, 'page')) this.pages.touch(page);
    for (const page of this.registry.streams.pages()) this.pages.touch(page);
    this.stats$.touch(null);
    for (const room of followedChannels(namespace, 'room')) {
      void this.cluster.roomTotal(room).then(
        (total) => (total > this.rosterMax ? this.largeRooms.touch(room) : this.roomSyncs.touch(room)),
        () => undefined,
      );
    }
  }

  /** A room's whole list to this process's sockets in it (every process sends its own after a rebuild). */
  private syncLocally(sync: RoomSyncEvent): void {
    this.registry.namespace?.local.to(roomChannel(sync.room)).emit(Events.RoomSync, sync);
    this.metrics.sent(Events.RoomSync);
  }

  /** The rosters of one room for several askers, in one cluster read. */
  private async readRosters(room: string, selfKeys: (string | undefined)[]): Promise<Roster[]> {
    const asked = [...new Set(selfKeys.filter((key): key is string => key !== undefined))];
    const roster = await this.cluster.roster(room, this.rosterMax, asked);
    return selfKeys.map((key) => ({
      members: roster.members,
      total: roster.total,
      typing: roster.typing,
      large: roster.large,
      self: key === undefined ? null : roster.selves[asked.indexOf(key)],
    }));
  }

  /** Whether what `subscriber` is answered is noted: not for a hidden socket (what it holds is kept apart). */
  private noting(subscriber: string | undefined): subscriber is string {
    return subscriber !== undefined && this.registry.presence.listening(subscriber);
  }

  /** Whether `id` is a socket of this process (a stream is answered once and never goes hidden). */
  private isSocket(id: string): boolean {
    return this.registry.namespace?.sockets.has(id) ?? false;
  }

  /** A catch-up from this process's registry alone, while the cluster is unreachable (nothing is noted in the registry). */
  private localFigures(asker: RosterAsker, followed: Followed): CaughtUp {
    return {
      pages: this.local.pageCounts(followed.pages),
      rooms: followed.rooms.map((room) => this.local.roomView(room, asker)),
      stats: followed.stats ? this.local.stats() : undefined,
    };
  }

  /**
   * A figure as a subscriber is answered it: `read` once this process's
   * earlier changes are applied, `local()` while the cluster is
   * unreachable; either way noted with its announcer (`noted`), so that the
   * subscriber is owed the next announcement if that differs.
   */
  private answer<T>(local: () => T, read: () => Promise<T>, noted: (value: T) => void): Promise<T> {
    return this.cluster
      .settled()
      .then(read)
      .catch((error: unknown) => {
        this.logger.debug({ msg: 'cluster figures unavailable, answering local ones', error: String(error) });
        return local();
      })
      .then((value) => {
        noted(value);
        return value;
      });
  }

  /**
   * A stopping process hands its users over instead of dropping them: it
   * closes its connections, so clients reconnect (through the load
   * balancer) to another process, and each disconnection is held for the
   * grace period as usual. A process the client returns to takes the held
   * place over without a `room:left` or a count moving; one that does not
   * come back expires and is announced here. The share is withdrawn once
   * nothing is held any more, or when `handoffMs` ran out.
   */
  private async handOff(): Promise<void> {
    const namespace = this.registry.namespace;
    if (!this.cluster.ready || !namespace) return;
    const { clock, presence, streams } = this.registry;
    const deadline = clock.now() + (this.options.handoffMs ?? this.options.graceMs + 1000);
    do {
      // The engine connections are closed rather than the sockets
      // disconnected: a Socket.IO client reconnects by itself after a
      // transport close, not after a server disconnect. Connections that
      // arrive meanwhile (a balancer still routing here) are sent on too.
      for (const socket of namespace.sockets.values()) socket.conn.close();
      streams.closeAll();
      await new Promise((resolve) => clock.setTimer(HAND_OFF_POLL_MS, () => resolve(undefined)));
    } while ((namespace.sockets.size > 0 || presence.sizes().connections > 0) && clock.now() < deadline);
  }
}

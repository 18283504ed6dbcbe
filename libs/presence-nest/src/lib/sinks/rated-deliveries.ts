import { PAGE_EVERY_VALUES, STATS_EVERY_VALUES, STATS_INTERVAL_MS, type PageCounts, type Stats } from '@presently/protocol';
import { type Clock, type PageCountSink, RatedAnnouncer, samePageCounts, sameStats, type StatsSink } from '@presently/presence-core';
import type { PageStreams } from '../http/page-streams';
import { ratedPageChannel, ratedStatsChannel } from '../socket/channels';
import type { SocketIoSink } from './socket-io.sink';

export interface RatedDeliveriesOptions {
  clock: Clock;
  /** The pages' own rate (`COUNT_INTERVAL_MS`): a slower `every` gets its own class. */
  countIntervalMs: number;
  socketIo: SocketIoSink;
  streams: PageStreams;
  /** How many of this process's sockets are in a Socket.IO channel. */
  subscribers(channel: string): number;
}

/**
 * The deliveries at the rates watchers chose (`every` on `page:watch`,
 * `stats:watch` and the SSE stream). As a sink it hears each page's counts
 * and the stats where they are sent at their own rate (in a cluster every
 * process hears the cluster-wide ones it sends its own sockets) and passes
 * them on, per (page, rate) class, to that class's channel and streams,
 * through one {@link RatedAnnouncer} per figure: one cooldown per (page,
 * rate), never one per watcher.
 */
export class RatedDeliveries implements PageCountSink, StatsSink {
  private readonly pages: RatedAnnouncer<string, PageCounts>;
  private readonly stats$: RatedAnnouncer<null, Stats>;

  constructor(private readonly options: RatedDeliveriesOptions) {
    const { clock, socketIo, streams, subscribers } = options;
    this.pages = new RatedAnnouncer<string, PageCounts>(clock, {
      rates: PAGE_EVERY_VALUES.filter((every) => every > options.countIntervalMs),
      same: samePageCounts,
      wanted: (page, every) => subscribers(ratedPageChannel(page, every)) > 0 || streams.hasAt(page, every),
      deliver: (_page, every, counts) => {
        socketIo.pageCountAt(every, counts);
        streams.pageCountAt(every, counts);
      },
    });
    this.stats$ = new RatedAnnouncer<null, Stats>(clock, {
      rates: STATS_EVERY_VALUES.filter((every) => every > STATS_INTERVAL_MS),
      same: sameStats,
      wanted: (_key, every) => subscribers(ratedStatsChannel(every)) > 0,
      deliver: (_key, every, stats) => socketIo.statsAt(every, stats),
    });
  }

  /** The class of a page watched at `every`: null for the page's own rate (no `every`, or one not slower). */
  pageRate(every: number | undefined): number | null {
    return every !== undefined && every > this.options.countIntervalMs ? every : null;
  }

  /** The class of stats watched at `every`: null for their own rate. */
  statsRate(every: number | undefined): number | null {
    return every !== undefined && every > STATS_INTERVAL_MS ? every : null;
  }

  /** Whether anyone here follows `page` at a slower rate (a cluster then reads its counts). */
  wantsPage(page: string): boolean {
    return this.pages.rates.some((every) => this.options.subscribers(ratedPageChannel(page, every)) > 0 || this.options.streams.hasAt(page, every));
  }

  /** Whether anyone here follows the stats at a slower rate. */
  wantsStats(): boolean {
    return this.stats$.rates.some((every) => this.options.subscribers(ratedStatsChannel(every)) > 0);
  }

  /** `subscriber` (a socket or stream id), at `every`, was answered `counts`: owed the next ones if they differ. */
  pageAcked(every: number, subscriber: string, counts: PageCounts): void {
    this.pages.acked(counts.page, every, subscriber, counts);
  }

  /** `subscriber` joins the class of `page` at `every` holding counts the class cannot vouch for: it is owed the next ones. */
  pageUnknownTo(every: number, subscriber: string, page: string): void {
    this.pages.acked(page, every, subscriber, { page, viewers: -1, connections: -1, active: -1 });
  }

  statsAcked(every: number, subscriber: string, stats: Stats): void {
    this.stats$.acked(null, every, subscriber, stats);
  }

  /** What `subscriber` holds of `page`'s counts as the class at `every` sent or answered them (undefined: unknown); the class owes it nothing more. */
  pageHeldBy(every: number, subscriber: string, page: string): PageCounts | undefined {
    const counts = this.pages.heldBy(page, every, subscriber);
    return counts && counts.viewers >= 0 ? counts : undefined;
  }

  /** What `subscriber` holds of the stats as the class at `every` sent or answered them (undefined: unknown). */
  statsHeldBy(every: number, subscriber: string): Stats | undefined {
    return this.stats$.heldBy(null, every, subscriber);
  }

  /** The last follower of `page` at `every` here may be gone: what the class held is dropped if so. */
  releasePage(page: string, every: number): void {
    this.pages.release(page, every);
  }

  releaseStats(every: number): void {
    this.stats$.release(null, every);
  }

  pageCount(counts: PageCounts): void {
    this.pages.offer(counts.page, counts);
  }

  stats(stats: Stats): void {
    this.stats$.offer(null, stats);
  }

  /** How many (page, rate) and (stats, rate) values are kept. */
  get size(): number {
    return this.pages.size + this.stats$.size;
  }

  dispose(): void {
    this.pages.dispose();
    this.stats$.dispose();
  }
}

import { Injectable } from '@nestjs/common';
import type { PageCounts, Stats } from '@presently/protocol';
import { PresenceRegistry } from '../presence-registry';
import { pageChannel, ratedPageChannel, ratedStatsChannel, STATS_CHANNEL } from './channels';
import type { PresenceSocket } from './presence-socket';

/**
 * The rate each socket chose for what it watches (`every` on `page:watch`
 * and `stats:watch`), and the channel that follows from it: a page watched
 * at its own rate, or entered (whatever rate it is watched at), is heard in
 * the page's channel; a page only watched at a slower rate, in that (page,
 * rate) class's channel (see `RatedDeliveries`). Only slower rates are kept,
 * per socket and page, until the socket unwatches or goes.
 *
 * A hidden socket (see `PassiveSockets`) is out of these channels: what it
 * watches, and at which rate, is only remembered, and `channels` says which
 * to join when it listens again.
 */
@Injectable()
export class WatchRates {
  private readonly pageRates = new Map<string, Map<string, number>>();
  private readonly statsRates = new Map<string, number>();
  /** Sockets out of their announcement channels (hidden): they join none until they listen again. */
  private readonly out = new Set<string>();

  constructor(private readonly registry: PresenceRegistry) {}

  /** `socket` now watches `pages` at `every` (undefined: the page's own rate), replacing any rate it chose before. */
  watchPages(socket: PresenceSocket, pages: readonly string[], every: number | undefined): void {
    const rate = this.registry.rates.pageRate(every);
    let rates = this.pageRates.get(socket.id);
    for (const page of new Set(pages)) {
      const before = rates?.get(page);
      if (before === rate) continue;
      if (before !== undefined) this.leaveRated(socket, page, before);
      if (rate === null) {
        rates?.delete(page);
        this.join(socket, pageChannel(page));
        continue;
      }
      if (!rates) this.pageRates.set(socket.id, (rates = new Map()));
      rates.set(page, rate);
      this.place(socket, page);
    }
    if (rates?.size === 0) this.pageRates.delete(socket.id);
  }

  /** `socket` stopped watching `pages`: it leaves their slower classes (the core's answer says which pages' own channels). */
  unwatchPages(socket: PresenceSocket, pages: readonly string[]): void {
    const rates = this.pageRates.get(socket.id);
    if (!rates) return;
    for (const page of pages) {
      const rate = rates.get(page);
      if (rate === undefined) continue;
      rates.delete(page);
      this.leaveRated(socket, page, rate);
    }
    if (rates.size === 0) this.pageRates.delete(socket.id);
  }

  /**
   * After `socket` entered or left `page`: an entered page is heard at the
   * page's own rate, one it only watches at a slower rate in that class.
   */
  place(socket: PresenceSocket, page: string): void {
    const rate = this.pageRates.get(socket.id)?.get(page);
    if (rate === undefined) return;
    if (this.registry.presence.isOn(socket.id, page)) {
      this.leaveRated(socket, page, rate);
      this.join(socket, pageChannel(page));
    } else if (socket.rooms.has(pageChannel(page))) {
      // What it heard at the page's own rate is not what the class last sent.
      socket.leave(pageChannel(page));
      socket.join(ratedPageChannel(page, rate));
      this.registry.rates.pageUnknownTo(rate, socket.id, page);
    } else {
      this.join(socket, ratedPageChannel(page, rate));
    }
  }

  /** The counts `socket` was answered for the pages it watches: its class owes it the next ones if they differ. */
  pagesAcked(socket: PresenceSocket, counts: readonly PageCounts[]): void {
    const rates = this.pageRates.get(socket.id);
    if (!rates) return;
    for (const c of counts) {
      const rate = rates.get(c.page);
      if (rate !== undefined && !this.registry.presence.isOn(socket.id, c.page)) this.registry.rates.pageAcked(rate, socket.id, c);
    }
  }

  /** `socket` watches the stats at `every` (undefined: their own rate), replacing any rate it chose before. */
  watchStats(socket: PresenceSocket, every: number | undefined): void {
    const rate = this.registry.rates.statsRate(every);
    const before = this.statsRates.get(socket.id);
    if (before !== undefined && before !== rate) this.leaveRatedStats(socket, before);
    if (rate === null) {
      this.statsRates.delete(socket.id);
      this.join(socket, STATS_CHANNEL);
    } else {
      this.statsRates.set(socket.id, rate);
      socket.leave(STATS_CHANNEL);
      this.join(socket, ratedStatsChannel(rate));
    }
  }

  statsAcked(socket: PresenceSocket, stats: Stats): void {
    const rate = this.statsRates.get(socket.id);
    if (rate !== undefined) this.registry.rates.statsAcked(rate, socket.id, stats);
  }

  unwatchStats(socket: PresenceSocket): void {
    const rate = this.statsRates.get(socket.id);
    socket.leave(STATS_CHANNEL);
    if (rate === undefined) return;
    this.statsRates.delete(socket.id);
    this.leaveRatedStats(socket, rate);
  }

  /** Whether `socket` hears `page` through a rate class (it watches it at a slower rate and did not enter it). */
  atRate(socket: PresenceSocket, page: string): boolean {
    return this.pageRates.get(socket.id)?.has(page) === true && !this.registry.presence.isOn(socket.id, page);
  }

  /** Whether `socket` hears the stats through a rate class. */
  statsAtRate(socket: PresenceSocket): boolean {
    return this.statsRates.has(socket.id);
  }

  /** The channels through which `socket` hears `pages` (and the stats, when it watches them): each one's own or its rate class's. */
  channels(socket: PresenceSocket, pages: readonly string[], stats: boolean): string[] {
    const rates = this.pageRates.get(socket.id);
    const channels = pages.map((page) => {
      const rate = rates?.get(page);
      return rate === undefined || this.registry.presence.isOn(socket.id, page) ? pageChannel(page) : ratedPageChannel(page, rate);
    });
    if (stats) {
      const rate = this.statsRates.get(socket.id);
      channels.push(rate === undefined ? STATS_CHANNEL : ratedStatsChannel(rate));
    }
    return channels;
  }

  /**
   * `socket` went hidden and left its announcement channels: what its rate
   * classes sent or answered it (per page it hears at a rate, and the stats
   * if it hears them at one; undefined: unknown), read before its classes
   * drop what nobody here follows any more. It joins none of its channels
   * until {@link listening}.
   */
  stopListening(socket: PresenceSocket): RatedHeld {
    this.out.add(socket.id);
    const pages = new Map<string, PageCounts | undefined>();
    for (const [page, rate] of this.pageRates.get(socket.id) ?? []) {
      if (this.registry.presence.isOn(socket.id, page)) continue;
      pages.set(page, this.registry.rates.pageHeldBy(rate, socket.id, page));
      this.registry.rates.releasePage(page, rate);
    }
    const rate = this.statsRates.get(socket.id);
    if (rate === undefined) return { pages, stats: null };
    const stats = this.registry.rates.statsHeldBy(rate, socket.id);
    this.registry.rates.releaseStats(rate);
    return { pages, stats: { held: stats } };
  }

  /** `socket` joins its channels again (it is caught up): they are joined from now on. */
  listening(socket: PresenceSocket): void {
    this.out.delete(socket.id);
  }

  /** `socket` went (Socket.IO took it out of its channels): its classes drop what nobody follows any more. */
  forget(socket: PresenceSocket): void {
    this.out.delete(socket.id);
    const rates = this.pageRates.get(socket.id);
    this.pageRates.delete(socket.id);
    if (rates) for (const [page, rate] of rates) this.registry.rates.releasePage(page, rate);
    const stats = this.statsRates.get(socket.id);
    this.statsRates.delete(socket.id);
    if (stats !== undefined) this.registry.rates.releaseStats(stats);
  }

  private join(socket: PresenceSocket, channel: string): void {
    if (!this.out.has(socket.id)) socket.join(channel);
  }

  private leaveRated(socket: PresenceSocket, page: string, rate: number): void {
    socket.leave(ratedPageChannel(page, rate));
    this.registry.rates.releasePage(page, rate);
  }

  private leaveRatedStats(socket: PresenceSocket, rate: number): void {
    socket.leave(ratedStatsChannel(rate));
    this.registry.rates.releaseStats(rate);
  }
}

/** What a socket that went hidden holds of what it hears through rate classes. */
export interface RatedHeld {
  pages: Map<string, PageCounts | undefined>;
  /** null: it hears the stats at their own rate, or not at all. */
  stats: { held: Stats | undefined } | null;
}

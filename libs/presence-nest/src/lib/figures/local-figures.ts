import type { HistoryPoint, Member, PageCounts, RecentLeaver, Stats } from '@presently/protocol';
import type { Followed, LastSent, Presence } from '@presently/presence-core';
import { Figures, type CaughtUp, type Roster, type RosterAsker } from './figures';
import { digestFor, listDigest, type Digest, type RoomView } from './room-view';

/** Rooms whose last list is kept for {@link LocalFigures.roomView}; past this, the oldest go. */
const VIEWS_KEPT = 1000;

/** One process: the registry is the whole truth, read synchronously. */
export class LocalFigures extends Figures {
  readonly ready = true;
  /**
   * Each room's list as last read for a view, with its digest, until the
   * room changes (its version moves): many sockets of one room going hidden
   * or coming back at once read it once.
   */
  private readonly views = new Map<string, { version: number; members: Member[]; total: number; digest: Digest }>();

  constructor(private readonly presence: Presence) {
    super();
  }

  settled(): null {
    return null;
  }

  pageCounts(pages: readonly string[]): PageCounts[] {
    return pages.map((page) => this.presence.pageCounts(page));
  }

  roster(room: string): Roster {
    return { ...this.presence.roster(room), typing: this.presence.typingIn(room), self: null, large: this.presence.isLarge(room) };
  }

  self(): Member | null {
    return null;
  }

  stats(): Stats {
    return this.presence.stats();
  }

  recent(room: string): RecentLeaver[] {
    return this.presence.recentLeavers(room);
  }

  heldBy(subscriber: string, followed: Followed): LastSent {
    return this.presence.lastSent(subscriber, followed) ?? { pages: [], totals: [], stats: undefined };
  }

  caughtUp(asker: RosterAsker, followed: Followed): CaughtUp {
    const current = this.presence.caughtUp(asker.id, followed) ?? { pages: [], totals: [], stats: undefined };
    const totals = new Map(current.totals.map(({ room, total }) => [room, total]));
    const rooms = followed.rooms.map((room): RoomView => {
      const total = totals.get(room);
      return total === undefined ? this.roomView(room, asker) : { room, large: true, total };
    });
    return { pages: current.pages, rooms, stats: current.stats };
  }

  roomView(room: string, asker: RosterAsker): RoomView {
    if (this.presence.isLarge(room)) return { room, large: true, total: this.presence.roomTotal(room) };
    const version = this.presence.roomVersion(room);
    let view = this.views.get(room);
    if (view?.version !== version) {
      const { members, total } = this.presence.roster(room);
      view = { version, members, total, digest: listDigest(members) };
      this.views.delete(room);
      if (this.views.size >= VIEWS_KEPT) this.views.delete(this.views.keys().next().value as string);
      this.views.set(room, view);
    }
    const own = this.presence.member(room, asker.userKey);
    const typing = this.presence.typingIn(room);
    return { room, large: false, members: view.members, total: view.total, typing, digest: digestFor(view.digest, own, typing) };
  }

  history(page: string): HistoryPoint[] {
    return this.presence.pageHistory(page);
  }
}

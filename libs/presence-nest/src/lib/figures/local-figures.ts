import type { Member, PageCounts, RecentLeaver, Stats } from '@presently/protocol';
import type { Presence } from '@presently/presence-core';
import { Figures, type Roster } from './figures';

/** One process: the registry is the whole truth, read synchronously. */
export class LocalFigures extends Figures {
  readonly ready = true;

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
    return { ...this.presence.roster(room), typing: this.presence.typingIn(room), self: null };
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
}

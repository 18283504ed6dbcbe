import type { Member, PageCounts, RecentLeaver, Stats } from '@presently/protocol';

/** A room as a join ack lists it: at most `ROSTER_MAX` members, the total, who types, and the asking member as the figures know it (null: as the registry knows it). */
export interface Roster {
  members: Member[];
  total: number;
  typing: string[];
  self: Member | null;
}

/** Who asks for a roster: the socket (owed the next count if it differs) and its member's key. */
export interface RosterAsker {
  id: string;
  userKey: string;
}

/**
 * Where the gateway and the HTTP views read the figures they answer with:
 * this process's registry ({@link LocalFigures}), or the figures of every
 * process together ({@link ClusterFigures}, `REDIS_URL` mode). Neither the
 * gateway nor a controller knows which.
 *
 * Answers are synchronous in one process and promises in a cluster. A
 * `subscriber` is the connection being answered: a cluster notes what it
 * was told, so that it is owed the next announcement if that differs.
 */
export abstract class Figures {
  /** Whether the figures are whole: false while a cluster store is unreachable (`/readyz` answers 503). */
  abstract readonly ready: boolean;
  /** Resolves once this process's changes so far are in the figures; null when they already are. */
  abstract settled(): Promise<void> | null;
  abstract pageCounts(pages: readonly string[], subscriber?: string): PageCounts[] | Promise<PageCounts[]>;
  abstract roster(room: string, asker?: RosterAsker): Roster | Promise<Roster>;
  /** The asking member as the figures know it (its profile, its connections); null: as the registry knows it. */
  abstract self(room: string, asker: RosterAsker): Member | null | Promise<Member | null>;
  abstract stats(subscriber?: string): Stats | Promise<Stats>;
  /** Who left `room` in the last `RECENT_MS` and is not back, most recent first; rejects while a cluster store is unreachable. */
  abstract recent(room: string): RecentLeaver[] | Promise<RecentLeaver[]>;
}

import type { HistoryPoint, Member, PageCounts, RecentLeaver, Stats } from '@presently/protocol';
import { userKeyOf, type Followed, type Identity, type LastSent } from '@presently/presence-core';
import type { RoomView } from './room-view';

/** A room as a join ack lists it: at most `ROSTER_MAX` members, the total, who types, and the asking member as the figures know it (null: as the registry knows it). */
export interface Roster {
  members: Member[];
  total: number;
  typing: string[];
  self: Member | null;
  /** Whether the room is large (its changes are announced as `room:count`). */
  large: boolean;
}

/** What a socket that listens again is caught up with: everything it follows, as it is now. */
export interface CaughtUp {
  pages: PageCounts[];
  rooms: RoomView[];
  stats: Stats | undefined;
  /**
   * What it was sent meanwhile, once back in its channels (with Redis, the
   * figures are read after it rejoined them): what it holds now, where given.
   */
  heard?: { pages: Map<string, PageCounts>; totals: Map<string, number>; stats: Stats | undefined };
}

/** Who asks for a roster: the socket (owed the next count if it differs) and its member's key. */
export interface RosterAsker {
  id: string;
  userKey: string;
}

/** A socket as the figures see it when it asks. */
export function askerOf(socket: { id: string; data: Identity }): RosterAsker {
  return { id: socket.id, userKey: userKeyOf(socket.data) };
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

  /**
   * What a socket that stops listening (it went hidden) holds of what it
   * follows: each page's counts, large rooms' totals (every followed room's
   * in a cluster; undefined before any was sent) and the stats, as last sent
   * or acked to it. From now on it is owed none of them. O(what it follows).
   */
  abstract heldBy(subscriber: string, followed: Followed): LastSent;

  /**
   * Everything a socket that listens again follows, as it is now (read once
   * this process's changes are in), each noted as what it holds from now on.
   */
  abstract caughtUp(asker: RosterAsker, followed: Followed): CaughtUp | Promise<CaughtUp>;

  /** `room` as `asker`, one of its sockets, is told of it (see {@link RoomView}); nothing is noted. */
  abstract roomView(room: string, asker: RosterAsker): RoomView | Promise<RoomView>;
  /** A page's occupancy over the last hour, a point per minute with viewers, oldest first; rejects while a cluster store is unreachable. */
  abstract history(page: string): HistoryPoint[] | Promise<HistoryPoint[]>;
}

import { RECENT_MAX, RECENT_ROOMS_MAX, type RecentLeaver } from '@presently/protocol';
import type { Clock } from './clock';
import { DeadlineQueue } from './deadline-queue';

export interface RecentLeaversLimits {
  /** Leavers one room keeps (the most recent). */
  perRoom: number;
  /** Rooms that keep leavers; past it, the room whose last leave is the oldest forgets first. */
  rooms: number;
}

/**
 * Who left each room lately: a member whose last connection left is recorded
 * (its userId, name, when it left and how long it had been there), forgotten
 * when it joins again, and listed for `recentMs` after its leave.
 *
 * Memory stays bounded without a timer per leaver: a room keeps at most
 * `perRoom` leavers (the most recent), stale ones are dropped when the room
 * is read, and a room whose last leave is `recentMs` old forgets everything
 * at once, through one {@link DeadlineQueue} for every room (each record
 * moves its room to the back). At most `rooms` rooms keep leavers.
 *
 * Leavers are recorded as they leave, so a room's are kept in the order
 * they left: the oldest is the first one, and a read lists them backwards. Recording and forgetting cost O(1); a read costs
 * O(perRoom).
 */
export class RecentLeavers {
  /** Room → its leavers by userKey, in the order they were recorded. */
  private readonly rooms = new Map<string, Map<string, RecentLeaver>>();
  private readonly sweep: DeadlineQueue<string>;

  constructor(
    private readonly clock: Clock,
    private readonly recentMs: number,
    private readonly limits: RecentLeaversLimits = { perRoom: RECENT_MAX, rooms: RECENT_ROOMS_MAX },
  ) {
    this.sweep = new DeadlineQueue(clock, recentMs, (room) => this.rooms.delete(room));
  }

  /** The member `userKey` left `room` (at `leaver.leftAt`, which is now). */
  record(room: string, userKey: string, leaver: RecentLeaver): void {
    if (this.recentMs <= 0) return;
    let leavers = this.rooms.get(room);
    if (!leavers) this.rooms.set(room, (leavers = new Map()));
    leavers.delete(userKey);
    leavers.set(userKey, leaver);
    // They are kept in the order they left: the first one left first.
    if (leavers.size > this.limits.perRoom) leavers.delete(leavers.keys().next().value as string);
    this.sweep.push(room);
    while (this.rooms.size > this.limits.rooms) this.forgetRoom(this.sweep.first() as string);
  }

  /** The member `userKey` is back in `room`: it is no recent leaver. */
  forget(room: string, userKey: string): void {
    const leavers = this.rooms.get(room);
    if (leavers?.delete(userKey) && leavers.size === 0) this.forgetRoom(room);
  }

  /** Who left `room` in the last `recentMs`, most recent first. */
  list(room: string): RecentLeaver[] {
    const leavers = this.rooms.get(room);
    if (!leavers) return [];
    const after = this.clock.now() - this.recentMs;
    const listed: RecentLeaver[] = [];
    for (const [userKey, leaver] of leavers) {
      if (leaver.leftAt > after) listed.push({ ...leaver });
      else leavers.delete(userKey);
    }
    if (leavers.size === 0) this.forgetRoom(room);
    return listed.reverse();
  }

  /** Rooms keeping leavers. */
  get size(): number {
    return this.rooms.size;
  }

  dispose(): void {
    this.sweep.dispose();
    this.rooms.clear();
  }

  private forgetRoom(room: string): void {
    this.rooms.delete(room);
    this.sweep.delete(room);
  }
}

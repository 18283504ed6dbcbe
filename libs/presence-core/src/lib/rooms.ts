import type { ActivityState, LeaveReason, Member, Profile, ProfileInput, RoomSyncEvent } from '@presently/protocol';
import { checkRoomAccess } from './access';
import { ActivityTally, isListening } from './activity';
import { Announced } from './announced';
import type { Clock } from './clock';
import { Coalescer } from './coalescer';
import { ledgerMemberOf, type Connection } from './connection';
import type { Grace } from './grace';
import { sameProfile, type ResolvedProfile } from './profile';
import type { RecentLeavers } from './recent-leavers';
import { RoomMembers } from './room-members';
import { profileCost } from './state-cost';
import type { Typing } from './typing';
import type { LedgerMember, OccupancySink, PresenceContributions, PresenceLedger, RoomSink } from './types';

/** A large room switches back once it has fewer than `rosterMax * SWITCH_BACK` members. */
const SWITCH_BACK = 0.9;

interface RoomMember {
  userId: string;
  profile: Profile;
  readonly since: number;
  /** The latest moment one of its connections stopped being present here (a leave, or a held one's disconnect). */
  until: number;
  readonly connections: Set<Connection>;
  /** Its connections by activity: the member's is the most active one. */
  readonly activity: ActivityTally;
}

/** userKey → member, in the order they first joined. */
type Room = RoomMembers<RoomMember>;

const sameTotal = (a: number, b: number): boolean => a === b;

export interface RoomsOptions {
  countIntervalMs: number;
  /** Members above which a room announces counts instead of members. */
  rosterMax: number;
}

/**
 * The rooms: members by user (one per user, with its connections and
 * profile), in the order they first joined. A user's first connection
 * announces `room:joined`, its last one leaving `room:left`, a changed
 * profile or activity (the most active state among its connections, held
 * ones included) `room:updated`.
 *
 * Above `rosterMax` members a room is large: joins, leaves and profile
 * changes are announced as a coalesced `room:count` instead, and the first
 * one always goes out so that every connection learns the room went large.
 * It switches back once below 90 % of the line (so that a room at the line
 * does not flip on every join), with one `room:sync` of its members.
 *
 * A member's profile is charged to the connection that joined or updated it
 * last, at its size then; when that connection leaves and others stay, one
 * of them takes the charge, so the profile is paid for while it is held.
 *
 * A member leaves when its last connection does: at once for an explicit
 * leave, when its grace runs out for a disconnect. Its time present
 * (`duration`) runs from its first join to the latest moment one of its
 * connections was there: an explicit leave's, or a held one's disconnect.
 * A connection that leaves stops typing first ({@link Typing}); a member that
 * leaves is recorded as a recent leaver ({@link RecentLeavers}, kept only
 * where announcements are made) and forgotten there when it joins again.
 * Each connection also keeps the name it last gave in a room's profile (an
 * authenticated user's is not shown), for when it becomes anonymous there.
 *
 * A connection that changes user keeps its place in its rooms
 * ({@link switchUser}): the member moves to the new user when nobody else is
 * left of the old one and the new one was not there (a replacement: no
 * leave, so no recent leaver), else the old member loses a connection and
 * the new one gains it.
 */
export class Rooms {
  private readonly rooms = new Map<string, Room>();
  /** Large rooms, with the total their connections hold. */
  private readonly large = new Map<string, Announced<number, Connection>>();
  private readonly coalescer: Coalescer<string>;
  private readonly rosterMax: number;
  /** Each room's version: it moves with every change of the room's members (what a list read then would show). */
  private readonly versions = new Map<string, number>();
  private version = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sink: RoomSink | null,
    options: RoomsOptions,
    private readonly grace: Grace,
    private readonly ledger: PresenceLedger | null,
    private readonly typing: Typing,
    private readonly recent: RecentLeavers | null,
    /** Told of each member's arrival and departure, and of a room's first member and its last. */
    private readonly occupancy: OccupancySink | null = null,
  ) {
    this.coalescer = new Coalescer(clock, options.countIntervalMs, (room) => this.sendCount(room));
    this.rosterMax = options.rosterMax;
  }

  /**
   * `conn` joins `room`: as its user's first connection there (a new
   * member), as a further one (in a held connection's place if the user
   * left one there), or again. For a known member, `input` is applied as a
   * profile update. Answers the member as it is now.
   */
  join(conn: Connection, room: string, input: ProfileInput | undefined, next: ResolvedProfile): Member {
    const members = this.place(room);
    let member = members.get(conn.userKey);
    this.touched(room);
    if (!member) {
      member = this.addMember(members, conn, room, next);
      noteName(conn, room, input);
      this.ledger?.room(room, ledgerMemberOf(conn), 1, { input, origin: conn.id, now: member.since });
      this.memberJoined(room, members.size, member, conn.id);
    } else {
      let delta: 0 | 1 = 0;
      let replaced: ActivityState | undefined;
      const before = member.activity.state;
      if (!conn.rooms.has(room)) {
        member.connections.add(conn);
        member.activity.add(conn.activity, 1);
        conn.rooms.add(room);
        const held = this.grace.take(conn, 'r', room);
        if (held) {
          member.connections.delete(held);
          member.activity.add(held.activity, -1);
          replaced = held.activity;
        } else {
          delta = 1;
        }
      }
      noteName(conn, room, input);
      this.ledger?.room(room, ledgerMemberOf(conn), delta, { input, origin: conn.id, now: this.clock.now(), replaced });
      this.applyProfile(room, member, next, conn, before);
    }
    // A hidden connection is owed nothing: what it holds is kept apart until it listens again.
    if (isListening(conn.activity)) this.large.get(room)?.acked(conn, members.size);
    return toMember(member);
  }

  /** `conn` leaves `room`; its member goes, with an announcement, when that was the user's last connection there. */
  leave(conn: Connection, room: string, reason: LeaveReason, except: string | null): void {
    this.typing.stop(conn, room);
    conn.rooms.delete(room);
    const present = this.rooms.get(room)?.get(conn.userKey);
    if (!present) return;
    const now = this.clock.now();
    const held = conn.held !== null;
    const at = held ? conn.heldSince : now;
    present.until = Math.max(present.until, at);
    this.ledger?.room(room, ledgerMemberOf(conn), -1, { reason, origin: except, held, now, at });
    const { member, gone, changed } = this.detach(conn, room);
    if (!member) return;
    if (!gone) {
      // The member stays; its activity may have been the leaving connection's.
      if (changed) this.updated(room, member, except);
      return;
    }
    if (this.memberLeft(room, conn.userKey, member, reason, except, now)) this.sync(room);
  }

  /**
   * `conn`, in `room`, changed user: it was `before` (another userKey) and is
   * now its identity's. When it was the old member's only connection and the
   * new user is not a member, the member moves to the new user in its place
   * (its status, meta, since and activity kept, `next` its profile): the
   * others hear one `room:updated` with `previousUserId`, and no leave
   * (nobody is recorded as a recent leaver). Otherwise the old member loses
   * the connection (a leave, reason `leave`, if it was its last: its
   * duration runs to now, and it is a recent leaver; else a `room:updated`
   * if its activity, now its remaining connections', changed) and the new
   * user's member gains it with its activity: a new member (`room:joined`),
   * or an existing one taking `next` (`room:updated` if that or its activity
   * changed it); a leave that takes a large room back below the line is
   * told, with the join, by one `room:sync` of the room as it ends. `next`
   * is the member's profile once switched. The connection's typing must
   * have stopped before (its typing is its old user's). O(1).
   */
  switchUser(conn: Connection, room: string, before: LedgerMember, next: ResolvedProfile): void {
    const old = this.rooms.get(room)?.get(before.userKey);
    if (!old?.connections.has(conn)) return;
    const now = this.clock.now();
    this.ledger?.switchUser(room, before, ledgerMemberOf(conn), { name: next.profile.name, origin: conn.id, now });
    const members = this.place(room);
    this.touched(room);
    const joined = members.get(conn.userKey);
    if (!joined && old.connections.size === 1) {
      // Its only connection: the member's activity is that connection's, and stays.
      members.rekey(before.userKey, conn.userKey);
      this.recent?.forget(room, conn.userKey);
      old.userId = conn.identity.userId;
      old.profile = next.profile;
      conn.rooms.chargeExtra(room, next.cost);
      this.updated(room, old, conn.id, before.userId);
      return;
    }
    old.until = Math.max(old.until, now);
    const left = this.detach(conn, room, before.userKey);
    let synced = false;
    if (left.gone && left.member) synced = this.memberLeft(room, before.userKey, left.member, 'leave', conn.id, now);
    else if (left.changed && left.member) {
      // The old member stays with its other connections, whose activity is now its own.
      this.updated(room, left.member, conn.id);
    }
    if (joined) {
      const activity = joined.activity.state;
      joined.connections.add(conn);
      joined.activity.add(conn.activity, 1);
      if (!synced) return this.applyProfile(room, joined, next, conn, activity);
      joined.profile = next.profile;
      conn.rooms.chargeExtra(room, next.cost);
    } else {
      // The old member had other connections: the room still holds it.
      const member = this.addMember(members, conn, room, next);
      if (!synced) return this.memberJoined(room, members.size, member, conn.id);
    }
    this.sync(room);
  }

  /** Whether `room` is large: member events and typing are then not announced. O(1). */
  isLarge(room: string): boolean {
    return this.large.has(room);
  }

  /** `conn` lost its credentials: it leaves every room it may no longer join. Answers those rooms. */
  leaveForbidden(conn: Connection): string[] {
    const rooms = [...conn.rooms].filter((room) => checkRoomAccess(room, conn.access) !== null);
    for (const room of rooms) this.leave(conn, room, 'leave', conn.id);
    return rooms;
  }

  /** `conn` ended: it leaves every room it is in. */
  leaveAll(conn: Connection): void {
    for (const room of [...conn.rooms]) this.leave(conn, room, 'disconnect', null);
  }

  /** The connections, live and held, of the member of `room` whose userId is `userId`. O(members of the room). */
  connectionsOf(room: string, userId: string): Connection[] {
    const found: Connection[] = [];
    for (const member of this.rooms.get(room)?.values() ?? []) {
      if (member.userId === userId) found.push(...member.connections);
    }
    return found;
  }

  /** A held connection's place in `room` was taken in another process: it leaves here, unannounced. */
  release(held: Connection, room: string): void {
    if (held.rooms.delete(room)) this.detach(held, room);
  }

  /** Applies `input` to the user's profile in a room `conn` joined; undefined if it did not join it. */
  update(conn: Connection, room: string, input: ProfileInput, next: ResolvedProfile): Member | undefined {
    const member = conn.rooms.has(room) ? this.rooms.get(room)?.get(conn.userKey) : undefined;
    if (!member) return undefined;
    noteName(conn, room, input);
    this.touched(room);
    this.ledger?.room(room, ledgerMemberOf(conn), 0, { input, origin: conn.id, now: this.clock.now() });
    this.applyProfile(room, member, next, conn, member.activity.state);
    return toMember(member);
  }

  /**
   * `conn`'s activity changed from `from`: its member in each of its rooms
   * follows, and a member whose activity changed is announced (not in a
   * large room). O(rooms of the connection).
   */
  activityChanged(conn: Connection, from: ActivityState): void {
    for (const room of conn.rooms) {
      const member = this.rooms.get(room)?.get(conn.userKey);
      if (!member) continue;
      const before = member.activity.state;
      member.activity.move(from, conn.activity);
      if (member.activity.state === before) continue;
      // Lists show the member's activity only: its other connections' changes move nothing.
      this.touched(room);
      this.updated(room, member, conn.id);
    }
  }

  /** The member of `userKey` in `room` as lists show it, or null. O(1). */
  member(room: string, userKey: string): Member | null {
    const member = this.rooms.get(room)?.get(userKey);
    return member ? toMember(member) : null;
  }

  /**
   * A number that moves whenever `room`'s members change (joins, leaves,
   * profiles, activity), so that what was computed from its list can be
   * kept until then. O(1).
   */
  versionOf(room: string): number {
    return this.versions.get(room) ?? 0;
  }

  /** The total `conn` holds of a large room (the last one sent or acked to it); undefined before any. */
  lastTotal(conn: Connection, room: string): number | undefined {
    return this.large.get(room)?.lastFor(conn);
  }

  /** A large room's total as a catch-up answers it to `conn`, which then holds it. */
  totalFor(conn: Connection, room: string): number {
    const total = this.total(room);
    if (isListening(conn.activity)) this.large.get(room)?.acked(conn, total);
    return total;
  }

  /** `conn` stops listening (it went hidden): no `room:count` is owed to it. */
  forget(conn: Connection): void {
    for (const room of conn.rooms) this.large.get(room)?.forget(conn);
  }

  /** The profile of `userKey`'s member in `room`, or null. O(1). */
  profile(room: string, userKey: string): Profile | null {
    return this.rooms.get(room)?.get(userKey)?.profile ?? null;
  }

  /** A room's members in the order they first joined. O(members). */
  members(room: string): Member[] {
    const members = this.rooms.get(room);
    return members ? Array.from(members.values(), toMember) : [];
  }

  /** The earliest `rosterMax` members and the total. O(min(members, rosterMax)). */
  roster(room: string): { members: Member[]; total: number } {
    const members = this.rooms.get(room);
    if (!members) return { members: [], total: 0 };
    const listed: Member[] = [];
    for (const member of members.values()) {
      if (listed.length >= this.rosterMax) break;
      listed.push(toMember(member));
    }
    return { members: listed, total: members.size };
  }

  /** What a `room:sync` carries: every member, the total and who types. O(members). */
  snapshot(room: string): RoomSyncEvent {
    const members = this.members(room);
    return { room, members, total: members.length, typing: this.typing.list(room) };
  }

  /** How many members a room has. O(1). */
  total(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  /** Rooms with members. */
  get size(): number {
    return this.rooms.size;
  }

  /** Every member of every room. */
  contributions(): PresenceContributions['rooms'] {
    const all: PresenceContributions['rooms'] = [];
    for (const [room, members] of this.rooms) {
      for (const [userKey, member] of members) all.push({ room, userKey, member: toMember(member), states: member.activity.counts() });
    }
    return all;
  }

  /** Stops the coalescer; every member's departure and every room's end is reported (the registry ends). */
  dispose(): void {
    this.coalescer.dispose();
    if (!this.occupancy) return;
    const now = this.clock.now();
    for (const [room, members] of this.rooms) {
      for (const member of members.values()) {
        this.occupancy.memberLeft(room, { userId: member.userId, reason: 'disconnect', duration: durationOf(member, now) });
      }
      this.occupancy.roomVacated(room);
    }
  }

  /** A room's members, the room made if it has none yet. */
  private place(room: string): Room {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new RoomMembers()));
    return members;
  }

  /** `conn`'s user becomes a member of `room` (last in the list) with `next`, which `conn` pays for, and is no recent leaver there; announces nothing. */
  private addMember(members: Room, conn: Connection, room: string, next: ResolvedProfile): RoomMember {
    const since = this.clock.now();
    const member: RoomMember = { userId: conn.identity.userId, profile: next.profile, since, until: since, connections: new Set([conn]), activity: new ActivityTally() };
    member.activity.add(conn.activity, 1);
    members.set(conn.userKey, member);
    this.recent?.forget(room, conn.userKey);
    conn.rooms.add(room);
    conn.rooms.chargeExtra(room, next.cost);
    return member;
  }

  /**
   * A new member is reported to the occupancy sink (after its room's
   * occupation if it is the first) and announced: `room:joined`, or in a
   * large room (or one it makes large) a coalesced `room:count`.
   */
  private memberJoined(room: string, size: number, member: RoomMember, origin: string): void {
    if (this.occupancy) {
      if (size === 1) this.occupancy.roomOccupied(room);
      this.occupancy.memberJoined(room, toMember(member));
    }
    if (!this.sink) return;
    if (size > this.rosterMax || this.large.has(room)) this.touchLarge(room);
    else this.sink.roomJoined(room, toMember(member), origin);
  }

  /**
   * A member (of `userKey`) that left is reported to the occupancy sink (with
   * its room's vacation if it was the last), recorded as a recent leaver and
   * announced: `room:left` with its duration (its first join to its
   * `until`), or in a large room a `room:count`; `now` is when it left (the
   * leave's one reading of the clock). True when it took the room
   * back below the line: one snapshot is due instead of this leave (see
   * {@link sync}).
   */
  private memberLeft(room: string, userKey: string, member: RoomMember, reason: LeaveReason, except: string | null, now: number): boolean {
    const duration = Math.max(0, member.until - member.since);
    if (this.occupancy) {
      this.occupancy.memberLeft(room, { userId: member.userId, reason, duration });
      if (!this.rooms.has(room)) this.occupancy.roomVacated(room);
    }
    if (!this.sink) return false;
    this.recent?.record(room, userKey, { userId: member.userId, name: member.profile.name, leftAt: now, duration });
    const members = this.rooms.get(room)?.size ?? 0;
    if (!this.large.has(room)) {
      this.sink.roomLeft(room, member.userId, reason, duration, except);
      return false;
    }
    if (members >= this.rosterMax * SWITCH_BACK) {
      this.touchLarge(room);
      return false;
    }
    this.large.delete(room);
    return true;
  }

  /** A room back below the line: one snapshot of its members to every connection in it (nobody to tell if it emptied). */
  private sync(room: string): void {
    if (this.total(room) > 0) this.sink?.roomSync(this.snapshot(room));
  }

  /**
   * Takes `conn` off its member in `room` (the member of `userKey`, its own
   * by default), and the member off the room (the room off the registry)
   * when that was its last connection. Answers the member, whether it is
   * gone, and whether its activity changed if it stays; announces nothing.
   */
  private detach(conn: Connection, room: string, userKey = conn.userKey): { member?: RoomMember; gone: boolean; changed: boolean } {
    const members = this.rooms.get(room);
    const member = members?.get(userKey);
    if (!members || !member) return { gone: false, changed: false };
    this.touched(room);
    const before = member.activity.state;
    member.connections.delete(conn);
    member.activity.add(conn.activity, -1);
    const heir = first(member.connections);
    if (heir) {
      heir.rooms.chargeExtra(room, profileCost(member.profile));
      return { member, gone: false, changed: member.activity.state !== before };
    }
    members.delete(userKey);
    if (members.size === 0) {
      this.rooms.delete(room);
      this.versions.delete(room);
    }
    return { member, gone: true, changed: true };
  }

  /** `room`'s members changed: its version moves. */
  private touched(room: string): void {
    this.versions.set(room, ++this.version);
  }

  /** A large room's membership changed: a coalesced `room:count` is due. */
  private touchLarge(room: string): void {
    if (!this.large.has(room)) this.large.set(room, new Announced<number, Connection>(sameTotal));
    this.coalescer.touch(room);
  }

  private sendCount(room: string): boolean {
    const total = this.rooms.get(room)?.size ?? 0;
    if (!this.large.get(room)?.due(total)) return false;
    this.sink?.roomCount(room, total);
    return true;
  }

  /**
   * `conn`'s member takes the profile `next` (charged to `conn`); announced
   * if it changed, or if the member's activity is no longer `before` (one
   * `room:updated` for both).
   */
  private applyProfile(room: string, member: RoomMember, next: ResolvedProfile, conn: Connection, before: ActivityState): void {
    conn.rooms.chargeExtra(room, next.cost);
    const changed = !sameProfile(member.profile, next.profile);
    if (changed) member.profile = next.profile;
    if (changed || member.activity.state !== before) this.updated(room, member, conn.id);
  }

  /** A member's profile or activity changed: `room:updated`, but in a large room it is kept, not announced. */
  private updated(room: string, member: RoomMember, except: string | null, previousUserId?: string): void {
    if (this.sink && !this.large.has(room)) this.sink.roomUpdated(room, toMember(member), except, previousUserId);
  }
}

/** Keeps the name a profile input gives, for when the connection is anonymous there (see `Presence.changeIdentity`). */
function noteName(conn: Connection, room: string, input: ProfileInput | undefined): void {
  if (input?.name !== undefined) conn.rooms.setNote(room, input.name);
}

function first<T>(set: Set<T>): T | undefined {
  for (const value of set) return value;
  return undefined;
}

/** How long a member was in the room when it left at `now`: ms from its `since`, never negative. */
function durationOf(member: RoomMember, now: number): number {
  return Math.max(0, now - member.since);
}

function toMember(member: RoomMember): Member {
  return {
    userId: member.userId,
    name: member.profile.name,
    status: member.profile.status,
    meta: member.profile.meta,
    connections: member.connections.size,
    since: member.since,
    activity: member.activity.state,
  };
}

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { ActivityState, JsonObject, LeaveReason, Member, PageCounts, Profile, ProfileInput, RecentLeaver, Stats } from '@presently/protocol';
import { Presence, type Departure, type Identity, type PresenceOptions } from '../index';
import { ManualClock, RecordingOccupancy, RecordingSink, type OccupancyRecord, type Recorded } from '../testing';

/*
 * Randomized model test: random sequences of connections (some of them
 * crawlers, served but never counted), pages, rooms, typing, sign-ins and
 * sign-outs without reconnecting, disconnects, returns and clock moves are
 * applied both to `Presence` and
 * to a deliberately naive model (a flat list of connection records, every
 * figure recomputed from scratch), and after every step the two must agree,
 * acks, room announcements, who types and who recently left included, and
 * what the registry reported of who is present (occupancy, the webhooks'
 * source) replays to the model's pages and rooms. Connections report their
 * activity (active, idle, hidden): pages count their active clients,
 * members show their most active connection's state, and a hidden
 * connection hears nothing; what it holds when it goes hidden, and what it
 * is caught up with when it listens again, are checked against what it was
 * told.
 */

const OPTIONS: PresenceOptions = {
  graceMs: 5000,
  countIntervalMs: 250,
  statsIntervalMs: 1000,
  // Small limits, so that random runs reach them.
  maxPagesPerSocket: 3,
  maxWatchedPerSocket: 4,
  maxRoomsPerSocket: 3,
  // Half a millisecond off the whole: a typing deadline never ties with a grace
  // expiry, whose order within one millisecond would be the timers'.
  typingMs: 3000.5,
  // Short, so that random runs see leavers age out.
  recentMs: 20_000,
};
const TYPING_MS = OPTIONS.typingMs as number;
const RECENT_MS = OPTIONS.recentMs as number;

const CLIENTS = ['client-A1', 'client-B2', 'client-C3', 'client-D4'];
const USERS: ReadonlyArray<{ userId: string; name: string | null; roles: string[] }> = [
  { userId: 'alice', name: 'Alice', roles: ['admin'] },
  { userId: 'bob', name: null, roles: [] },
  { userId: 'carol', name: 'Carol', roles: ['ops'] },
];
const PAGES = ['/', '/a', '/b', '/c', '/d', '/e'];
const ROOMS = ['lobby', 'game', 'private:team', 'role:admin', 'role:ops:night'];
const METAS: JsonObject[] = [{}, { color: 'red' }, { color: 'blue', n: 1 }, { tags: ['x', 'y'], nested: { ok: true } }];

// ------------------------------------------------------------------ commands

/** Which connection a command acts on: usually a live one, sometimes any (held, gone). */
interface Target {
  n: number;
  any: boolean;
}

type Command =
  | { kind: 'connect'; client: number; user: number | null; counted: boolean }
  | { kind: 'reconnect'; target: Target; reenter: boolean }
  | { kind: 'enter'; target: Target; page: number }
  | { kind: 'leave'; target: Target; page: number }
  | { kind: 'watch'; target: Target; pages: number[] }
  | { kind: 'unwatch'; target: Target; pages: number[] }
  | { kind: 'join'; target: Target; room: number; profile: ProfileInput | undefined }
  | { kind: 'leaveRoom'; target: Target; room: number }
  | { kind: 'update'; target: Target; room: number; profile: ProfileInput }
  | { kind: 'typing'; target: Target; room: number; typing: boolean }
  | { kind: 'token'; target: Target; user: number | null }
  | { kind: 'disconnect'; target: Target }
  | { kind: 'activity'; target: Target; state: ActivityState }
  | { kind: 'watchStats'; target: Target }
  | { kind: 'unwatchStats'; target: Target }
  | { kind: 'advance'; ms: number }
  | { kind: 'settle' };

const target: fc.Arbitrary<Target> = fc.record({
  n: fc.nat({ max: 1000 }),
  any: fc.nat({ max: 9 }).map((x) => x === 0),
});
const page = fc.nat({ max: PAGES.length - 1 });
const room = fc.nat({ max: ROOMS.length - 1 });
const profile: fc.Arbitrary<ProfileInput> = fc.record(
  {
    name: fc.constantFrom('Ann', 'Bob', 'Zed'),
    status: fc.constantFrom('online', 'away', 'busy'),
    meta: fc.constantFrom(...METAS),
  },
  { requiredKeys: [] },
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('connect' as const),
      client: fc.nat({ max: CLIENTS.length - 1 }),
      user: fc.option(fc.nat({ max: USERS.length - 1 }), { nil: null }),
      counted: fc.nat({ max: 4 }).map((x) => x !== 0),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), target, reenter: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('enter' as const), target, page }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('leave' as const), target, page }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('watch' as const), target, pages: fc.array(page, { minLength: 1, maxLength: 4 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('unwatch' as const), target, pages: fc.array(page, { minLength: 1, maxLength: 4 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('join' as const), target, room, profile: fc.option(profile, { nil: undefined }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leaveRoom' as const), target, room }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), target, room, profile }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('typing' as const), target, room, typing: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('token' as const), target, user: fc.option(fc.nat({ max: USERS.length - 1 }), { nil: null }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), target }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('activity' as const), target, state: fc.constantFrom<ActivityState>('active', 'idle', 'hidden') }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('watchStats' as const), target }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unwatchStats' as const), target }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 * OPTIONS.graceMs })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
);

// ---------------------------------------------------------------------- sink

type Timed = Recorded & { at: number };

class TimedSink extends RecordingSink {
  declare events: Timed[];
  constructor(private readonly clock: ManualClock) {
    super();
  }
  protected override record(event: Recorded): void {
    this.events.push({ ...event, at: this.clock.now() });
  }
}

/** Records occupancy reports with the time they were made. */
class TimedOccupancy extends RecordingOccupancy {
  declare events: Array<OccupancyRecord & { at: number }>;
  constructor(private readonly clock: ManualClock) {
    super();
  }
  protected override record(event: OccupancyRecord): void {
    this.events.push({ ...event, at: this.clock.now() });
  }
}

// --------------------------------------------------------------------- model

interface ModelConn {
  id: string;
  identity: Identity;
  /** False for a crawler: never in any figure, never held, in no room. */
  counted: boolean;
  pages: string[];
  watched: string[];
  rooms: string[];
  /** The name this connection last gave in each room's profile (kept for when it is anonymous there). */
  names: Map<string, string>;
  watchingStats: boolean;
  /** What its client reported last (a held connection keeps it). */
  activity: ActivityState;
  state: 'live' | 'held' | 'gone';
  heldUntil: number;
  heldOrder: number;
  /** When it was held: the last moment it was present. */
  heldAt: number;
  /** Rooms it types in → when that ends, in the order it started typing there. */
  typing: Map<string, number>;
  /** Rooms it types in → when their deadline was set, counted across connections: deadlines that tie end in that order, as the core's queue ends them. */
  typingOrder: Map<string, number>;
  /** What this socket was last told of each page (ack or page:count). */
  knownCounts: Map<string, PageCounts>;
  /** What this socket was last told of the stats (ack or stats). */
  knownStats: Stats | null;
  /** What this socket was last told of each large room's total (ack or room:count). */
  knownTotals: Map<string, number>;
}

interface ModelMember {
  /** `u:<userId>` for signed-in users, `a:<userId>` (their public id) for anonymous visitors. */
  key: string;
  userId: string;
  profile: Profile;
  since: number;
  /** The latest moment one of its connections stopped being present. */
  until: number;
}

/** A recorded leave, as `room:recent` lists it, with its place in the record order. */
interface ModelLeaver {
  key: string;
  leaver: RecentLeaver;
  seq: number;
}

/** Room announcements made at once (room:count is coalesced, like page:count). */
type RoomEvent = Exclude<Recorded, { type: 'page:count' } | { type: 'stats' } | { type: 'room:count' }>;

const keyOf = (identity: Identity) => `${identity.authenticated ? 'u' : 'a'}:${identity.userId}`;

/** A client's identity as one of `USERS`, or anonymous (`null`). */
function identityOf(clientId: string, user: number | null): Identity {
  const u = user === null ? null : USERS[user];
  return u
    ? { clientId, userId: u.userId, name: u.name, roles: u.roles, authenticated: true }
    : // An anonymous visitor's public id is derived from its clientId, never the clientId itself.
      { clientId, userId: `a_${clientId}`, name: null, roles: [], authenticated: false };
}

function allowed(roomKey: string, identity: Identity): boolean {
  if (roomKey.startsWith('private:') && !identity.authenticated) return false;
  if (roomKey.startsWith('role:')) {
    const role = roomKey.split(':')[1];
    return identity.roles.includes(role);
  }
  return true;
}

class Model {
  now: number;
  conns: ModelConn[] = [];
  /** Room → members in first-join order. */
  rooms = new Map<string, ModelMember[]>();
  expected: RoomEvent[] = [];
  /** Members gone from a room (large ones included), as occupancy must report them. */
  departures: Array<{ room: string } & Departure> = [];
  /**
   * Members replaced by another user's (a sign-in or sign-out): neither a
   * departure nor an arrival, so occupancy reports nothing of them.
   */
  replaced: Array<{ room: string; previousUserId: string; userId: string }> = [];
  /** Rooms above `rosterMax`: counts instead of member events. */
  large = new Set<string>();
  /** Room → the userKeys of its typing members, in the order they started. */
  typists = new Map<string, string[]>();
  /** How many typing deadlines were set so far (their order). */
  typingDeadlines = 0;
  /** Room → who left it, in the order it was recorded. */
  leavers = new Map<string, ModelLeaver[]>();
  /**
   * Rooms that went large since the last snapshot a client heard of them: a
   * room may go large and back before its first `room:count` went out (the
   * leading edge waits for the end of the task), and then its sockets hear
   * the snapshot without a count before it.
   */
  wentLarge = new Set<string>();
  private heldCounter = 0;
  private leaveCounter = 0;

  constructor(
    now: number,
    readonly rosterMax: number,
  ) {
    this.now = now;
  }

  /** A member joined, left or changed: per-member events unless the room is (or now gets) large. */
  isLarge(r: string): boolean {
    if (!this.large.has(r) && (this.rooms.get(r)?.length ?? 0) > this.rosterMax) {
      this.large.add(r);
      this.wentLarge.add(r);
    }
    return this.large.has(r);
  }

  /** The connections that count: live or held, crawlers left out. */
  present(): ModelConn[] {
    return this.conns.filter((c) => c.state !== 'gone' && c.counted);
  }

  pageCounts(p: string): PageCounts {
    const on = this.present().filter((c) => c.pages.includes(p));
    const active = on.filter((c) => c.activity === 'active');
    return {
      page: p,
      viewers: new Set(on.map((c) => c.identity.clientId)).size,
      connections: on.length,
      active: new Set(active.map((c) => c.identity.clientId)).size,
    };
  }

  members(r: string): Member[] {
    return (this.rooms.get(r) ?? []).map((m) => this.view(r, m));
  }

  /** The connections, live or held, of member `m` in room `r`. */
  connectionsOf(r: string, m: ModelMember): ModelConn[] {
    return this.present().filter((c) => keyOf(c.identity) === m.key && c.rooms.includes(r));
  }

  /** A member's activity: its most active connection's state. */
  activityOf(r: string, m: ModelMember): ActivityState {
    const states = this.connectionsOf(r, m).map((c) => c.activity);
    return states.includes('active') ? 'active' : states.includes('idle') ? 'idle' : 'hidden';
  }

  view(r: string, m: ModelMember): Member {
    return { userId: m.userId, ...m.profile, connections: this.connectionsOf(r, m).length, since: m.since, activity: this.activityOf(r, m) };
  }

  /** Runs `change`; a member of `r` whose activity it changed is announced (not in a large room), except to `except`. */
  watchActivity(r: string, key: string, except: string | null, change: () => void): void {
    const member = this.rooms.get(r)?.find((m) => m.key === key);
    const before = member && this.activityOf(r, member);
    change();
    // A member with no connection left is gone, not changed.
    if (!member || this.connectionsOf(r, member).length === 0) return;
    if (this.activityOf(r, member) !== before && !this.large.has(r)) {
      this.expected.push({ type: 'room:updated', room: r, member: this.view(r, member), except });
    }
  }

  stats(): Stats {
    const present = this.present();
    const pages = [...new Set(present.flatMap((c) => c.pages))];
    const top = pages
      .map((p) => ({ page: p, viewers: this.pageCounts(p).viewers }))
      .filter((t) => t.viewers > 0)
      .sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0))
      .slice(0, 10);
    return {
      online: { connections: present.length, visitors: new Set(present.map((c) => c.identity.clientId)).size },
      top,
    };
  }

  sizes() {
    const present = this.present();
    return {
      connections: present.length,
      visitors: new Set(present.map((c) => c.identity.clientId)).size,
      pages: PAGES.filter((p) => this.pageCounts(p).viewers > 0).length,
      rooms: [...this.rooms.values()].filter((m) => m.length > 0).length,
      held: present.filter((c) => c.state === 'held').length,
    };
  }

  watchingStats(): boolean {
    return this.conns.some((c) => c.state === 'live' && c.watchingStats);
  }

  /** The oldest held connection of the same client and user that `match` accepts. */
  findHeld(conn: ModelConn, match: (held: ModelConn) => boolean): ModelConn | undefined {
    return this.conns
      .filter(
        (h) =>
          h.state === 'held' &&
          h.identity.clientId === conn.identity.clientId &&
          keyOf(h.identity) === keyOf(conn.identity) &&
          match(h),
      )
      .sort((a, b) => a.heldOrder - b.heldOrder)[0];
  }

  releaseIfEmpty(held: ModelConn): void {
    if (held.pages.length === 0 && held.rooms.length === 0) held.state = 'gone';
  }

  /** Removes `conn` from `r`; the member goes when no present connection of its user is left. */
  leaveRoomOf(conn: ModelConn, r: string, reason: LeaveReason, except: string | null): void {
    this.stopTyping(conn, r);
    const key = keyOf(conn.identity);
    this.watchActivity(r, key, except, () => {
      conn.rooms = conn.rooms.filter((x) => x !== r);
      conn.names.delete(r);
    });
    const member = (this.rooms.get(r) ?? []).find((m) => m.key === key);
    if (!member) throw new Error('model: member missing');
    member.until = Math.max(member.until, conn.state === 'held' ? conn.heldAt : this.now);
    const stillThere = this.present().some((c) => keyOf(c.identity) === key && c.rooms.includes(r));
    if (!stillThere && this.memberLeft(r, key, reason, except)) this.sync(r);
  }

  /**
   * A live connection signs in or out (`session:token`): the rooms the new
   * identity may not be in are left first; in the others, the same user
   * takes the token's name, another user replaces the member when it was the
   * old one's only connection and the new one was not there, else the old
   * member loses the connection (and leaves if it was its last) and the new
   * user's member gains it (a new one keeps the old status and meta). A
   * change of user stops the connection's typing first; a replacement is no
   * recent leaver, a leave is. Answers the rooms left.
   */
  changeIdentity(conn: ModelConn, identity: Identity): string[] {
    const left = conn.rooms.filter((r) => !allowed(r, identity));
    for (const r of left) this.leaveRoomOf(conn, r, 'leave', conn.id);
    const oldKey = keyOf(conn.identity);
    const oldUserId = conn.identity.userId;
    const newKey = keyOf(identity);
    const others = (r: string) => this.present().filter((c) => c !== conn && keyOf(c.identity) === oldKey && c.rooms.includes(r)).length;
    // Activities as they were: the old member's follows its remaining connections, the new user's member gains this one's.
    const activity = (r: string, key: string): ActivityState | undefined => {
      const member = this.rooms.get(r)?.find((m) => m.key === key);
      return member && this.activityOf(r, member);
    };
    const plans = conn.rooms.map((r) => ({ r, alone: others(r) === 0, oldActivity: activity(r, oldKey), targetActivity: activity(r, newKey) }));
    if (newKey !== oldKey) for (const r of [...conn.typing.keys()]) this.stopTyping(conn, r);
    conn.identity = identity;
    for (const { r, alone, oldActivity, targetActivity } of plans) {
      const members = this.rooms.get(r) ?? [];
      const old = members.find((m) => m.key === oldKey);
      if (!old) throw new Error('model: member missing');
      if (newKey === oldKey) {
        this.applyProfile(r, old, undefined, conn);
        continue;
      }
      const name = identity.authenticated ? (identity.name ?? identity.userId) : (conn.names.get(r) ?? 'Anonymous');
      const target = members.find((m) => m.key === newKey);
      if (alone && !target) {
        this.replaced.push({ room: r, previousUserId: old.userId, userId: identity.userId });
        this.back(r, newKey);
        old.key = newKey;
        old.userId = identity.userId;
        old.profile = { ...old.profile, name };
        if (!this.large.has(r)) this.expected.push({ type: 'room:updated', room: r, member: this.view(r, old), except: conn.id, previousUserId: oldUserId });
        continue;
      }
      // A leave that takes a large room back below the line: one snapshot of the room as it ends tells the join too.
      old.until = Math.max(old.until, this.now);
      const synced = alone && this.memberLeft(r, oldKey, 'leave', conn.id);
      if (!alone && this.activityOf(r, old) !== oldActivity && !this.large.has(r)) {
        this.expected.push({ type: 'room:updated', room: r, member: this.view(r, old), except: conn.id });
      }
      if (target && synced) target.profile = this.resolveProfile(target.profile, undefined, identity);
      else if (target) this.applyProfile(r, target, undefined, conn, targetActivity);
      else {
        this.back(r, newKey);
        const member: ModelMember = { key: newKey, userId: identity.userId, profile: { ...old.profile, name }, since: this.now, until: this.now };
        this.rooms.set(r, [...(this.rooms.get(r) ?? []), member]);
        if (!synced && !this.isLarge(r)) this.expected.push({ type: 'room:joined', room: r, member: this.view(r, member), except: conn.id });
      }
      if (synced) this.sync(r);
    }
    return left;
  }

  /** The member of `key` leaves `r`, announced by the room rules. */
  private memberLeft(r: string, key: string, reason: LeaveReason, except: string | null): boolean {
    const members = this.rooms.get(r) ?? [];
    const member = members.find((m) => m.key === key);
    if (!member) throw new Error('model: member missing');
    const left = members.filter((m) => m !== member);
    this.rooms.set(r, left);
    const duration = member.until - member.since;
    this.departures.push({ room: r, userId: member.userId, reason, duration });
    const leavers = (this.leavers.get(r) ?? []).filter((l) => l.key !== key);
    leavers.push({ key, leaver: { userId: member.userId, name: member.profile.name, leftAt: this.now, duration }, seq: ++this.leaveCounter });
    this.leavers.set(r, leavers);
    if (!this.large.has(r)) {
      this.expected.push({ type: 'room:left', room: r, userId: member.userId, reason, duration, except });
    } else if (left.length < this.rosterMax * 0.9) {
      // Back below the line: a snapshot instead of this leave (the caller sends it).
      this.large.delete(r);
      return true;
    }
    return false;
  }

  /** A room back below the line: a snapshot of its members, unless it emptied. */
  sync(r: string): void {
    const members = this.members(r);
    if (members.length > 0) this.expected.push({ type: 'room:sync', room: r, members, total: members.length, typing: this.typingList(r) });
  }

  /** The userIds typing in `r`, in the order they started. */
  typingList(r: string): string[] {
    return (this.typists.get(r) ?? []).map((key) => (this.rooms.get(r) ?? []).find((m) => m.key === key)?.userId ?? fail('model: a typist is no member', { r, key }));
  }

  /** `conn` types in `r` (again: its deadline moves, nothing is announced). */
  startTyping(conn: ModelConn, r: string): void {
    const renewal = conn.typing.has(r);
    conn.typing.set(r, this.now + TYPING_MS);
    conn.typingOrder.set(r, ++this.typingDeadlines);
    if (renewal) return;
    const key = keyOf(conn.identity);
    const typists = this.typists.get(r) ?? [];
    this.typists.set(r, typists);
    if (typists.includes(key)) return;
    typists.push(key);
    if (!this.large.has(r)) this.expected.push({ type: 'room:typing', room: r, userId: conn.identity.userId, typing: true, except: conn.id });
  }

  /** `conn` no longer types in `r`; its member stops once none of its connections types there. */
  stopTyping(conn: ModelConn, r: string): void {
    if (!conn.typing.delete(r)) return;
    const key = keyOf(conn.identity);
    if (this.conns.some((c) => c.state === 'live' && keyOf(c.identity) === key && c.typing.has(r))) return;
    this.typists.set(r, (this.typists.get(r) ?? []).filter((k) => k !== key));
    if (!this.large.has(r)) this.expected.push({ type: 'room:typing', room: r, userId: conn.identity.userId, typing: false, except: conn.id });
  }

  /** Who left `r` in the last RECENT_MS and is not back, most recent first. */
  recent(r: string): RecentLeaver[] {
    return (this.leavers.get(r) ?? [])
      .filter((l) => l.leaver.leftAt > this.now - RECENT_MS)
      .sort((a, b) => b.leaver.leftAt - a.leaver.leftAt || b.seq - a.seq)
      .map((l) => l.leaver);
  }

  /** The member `key` is back in `r`. */
  back(r: string, key: string): void {
    this.leavers.set(r, (this.leavers.get(r) ?? []).filter((l) => l.key !== key));
  }

  expire(conn: ModelConn): void {
    conn.pages = [];
    for (const r of [...conn.rooms]) this.leaveRoomOf(conn, r, 'disconnect', null);
    conn.state = 'gone';
  }

  disconnect(conn: ModelConn): void {
    if (conn.state !== 'live') return;
    for (const r of [...conn.typing.keys()]) this.stopTyping(conn, r);
    conn.watched = [];
    conn.watchingStats = false;
    if (conn.counted && conn.pages.length + conn.rooms.length > 0 && OPTIONS.graceMs > 0) {
      conn.state = 'held';
      conn.heldAt = this.now;
      conn.heldUntil = this.now + OPTIONS.graceMs;
      conn.heldOrder = ++this.heldCounter;
    } else {
      this.expire(conn);
    }
  }

  /** Moves time, ending typing and held connections in time order; answers how many held connections ran out. */
  advance(ms: number): number {
    const end = this.now + ms;
    const due: { at: number; order: number; run: () => void }[] = [];
    let expired = 0;
    for (const c of this.conns) {
      if (c.state === 'held' && c.heldUntil <= end) {
        // Each expires when its time runs out, as its timer does.
        due.push({ at: c.heldUntil, order: c.heldOrder, run: () => (expired++, this.expire(c)) });
      }
      for (const [r, until] of c.typing) if (until <= end) due.push({ at: until, order: c.typingOrder.get(r) ?? 0, run: () => this.stopTyping(c, r) });
    }
    due.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const { at, run } of due) {
      this.now = at;
      run();
    }
    this.now = end;
    return expired;
  }

  resolveProfile(current: Profile | null, input: ProfileInput | undefined, identity: Identity): Profile {
    return {
      name: identity.authenticated ? (identity.name ?? identity.userId) : (input?.name ?? current?.name ?? 'Anonymous'),
      status: input?.status ?? current?.status ?? 'online',
      meta: input?.meta ?? current?.meta ?? {},
    };
  }

  /** Applies a profile; announced if it, or the member's activity since `before`, changed. */
  applyProfile(r: string, member: ModelMember, input: ProfileInput | undefined, conn: ModelConn, before = this.activityOf(r, member)): void {
    const next = this.resolveProfile(member.profile, input, conn.identity);
    if (isDeepStrictEqual(next, member.profile) && this.activityOf(r, member) === before) return;
    member.profile = next;
    if (!this.large.has(r)) this.expected.push({ type: 'room:updated', room: r, member: this.view(r, member), except: conn.id });
  }
}

// ---------------------------------------------------------------------- test

/**
 * `expect(actual).toEqual(expected)`, but cheap when they agree: thousands of
 * steps run, and building a Jest assertion for each comparison dominates.
 */
function agree(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect({ what, value: actual }).toEqual({ what, value: expected });
}

function fail(what: string, detail: unknown): never {
  throw new Error(`${what}: ${JSON.stringify(detail)}`);
}

/** An ack refused with `code` (any message). */
function refused(actual: { ok: boolean }, code: string, what: string): void {
  const error = (actual as { error?: { code?: unknown; message?: unknown } }).error;
  if (actual.ok !== false || error?.code !== code || typeof error.message !== 'string') {
    expect({ what, value: actual }).toEqual({ what, value: { ok: false, error: { code, message: expect.any(String) } } });
  }
}

const isRoomEvent = (e: Recorded): e is RoomEvent => e.type.startsWith('room:') && e.type !== 'room:count';
const strip = ({ at, ...rest }: Timed): Recorded => {
  void at;
  return rest as Recorded;
};
const order = (e: Recorded) => JSON.stringify(e);

/**
 * How strictly a repeated announcement (the same value as the one last sent)
 * is judged. `acked`: only after an ack since that send told some socket a
 * different value. `needed`: only if a socket that is still subscribed was
 * told a different value, i.e. the repeat is news to someone.
 */
type Repeats = 'acked' | 'needed';

function run(commands: Command[], repeats: Repeats = 'acked', rosterMax = 1000): void {
  const clock = new ManualClock();
  const sink = new TimedSink(clock);
  const occupancy = new TimedOccupancy(clock);
  const presence = new Presence(clock, sink, { ...OPTIONS, rosterMax }, null, occupancy);
  const model = new Model(clock.now(), rosterMax);
  /** Rooms a client would know as large, with the last total it heard. */
  const largeReplica = new Map<string, number>();
  /** What a client would know of each room from the announcements alone. */
  const replica = new Map<string, Map<string, Profile & { activity: ActivityState }>>();
  /** Who a client would know types in each room, from the announcements alone. */
  const typingReplica = new Map<string, Set<string>>();
  /** The last page:count and stats seen, to check what may follow them. */
  const lastCount = new Map<string, { at: number; counts: PageCounts }>();
  let lastStats: { at: number; stats: Stats } | null = null;
  /** Pages whose counts an ack reported differently from the value last sent, since that send. */
  const ackedSinceSend = new Set<string>();
  let statsAckedSinceSend = false;
  let seen = 0;
  let occupancySeen = 0;
  /** Who is present as the occupancy reports tell it: occupied pages, and each occupied room's members with their since. */
  const occupiedPages = new Set<string>();
  const occupiedRooms = new Map<string, Map<string, number>>();
  let nextId = 0;
  /** The command being applied, to name it in a failure. */
  let cmdName = '';

  const pick = (t: Target): ModelConn | undefined => {
    const live = model.conns.filter((c) => c.state === 'live');
    const pool = t.any || live.length === 0 ? model.conns : live;
    return pool.length === 0 ? undefined : pool[t.n % pool.length];
  };
  const idOf = (c: ModelConn | undefined) => c?.id ?? 'ghost';
  const zero = (p: string): PageCounts => ({ page: p, viewers: 0, connections: 0, active: 0 });
  /** A hidden connection hears nothing. */
  const listening = (c: ModelConn) => c.state === 'live' && c.activity !== 'hidden';
  const subscribed = (c: ModelConn, p: string) => listening(c) && (c.pages.includes(p) || c.watched.includes(p));
  /** `conn` was acked (or caught up with) the counts of `p`; a hidden one is owed nothing for it. */
  const told = (conn: ModelConn, p: string) => {
    const counts = model.pageCounts(p);
    conn.knownCounts.set(p, counts);
    if (listening(conn) && !isDeepStrictEqual(counts, lastCount.get(p)?.counts ?? zero(p))) ackedSinceSend.add(p);
  };
  /** What `conn` follows, as the registry lists it: its pages then its watched ones, each once. */
  const followedBy = (conn: ModelConn) => ({ pages: [...new Set([...conn.pages, ...conn.watched])], rooms: [...conn.rooms], stats: conn.watchingStats });
  /** What `conn` was told of what it follows: pages, large rooms' totals (as the registry sees them large), the stats. */
  const knownBy = (conn: ModelConn) => {
    const followed = followedBy(conn);
    return {
      pages: followed.pages.map((p) => conn.knownCounts.get(p)),
      totals: followed.rooms.filter((r) => presence.isLarge(r)).map((r) => ({ room: r, total: conn.knownTotals.get(r) })),
      stats: conn.watchingStats ? (conn.knownStats ?? undefined) : undefined,
    };
  };
  const liveConn = (c: ModelConn | undefined): ModelConn | undefined => (c?.state === 'live' ? c : undefined);

  const connect = (identity: Identity, counted: boolean): ModelConn => {
    const conn: ModelConn = {
      id: `c${nextId++}`,
      identity,
      counted,
      pages: [],
      watched: [],
      rooms: [],
      names: new Map(),
      watchingStats: false,
      state: 'live',
      heldUntil: 0,
      heldOrder: 0,
      heldAt: 0,
      typing: new Map(),
      typingOrder: new Map(),
      activity: 'active',
      knownCounts: new Map(),
      knownStats: null,
      knownTotals: new Map(),
    };
    model.conns.push(conn);
    presence.connect(conn.id, identity, { counted });
    return conn;
  };

  const enter = (c: ModelConn | undefined, p: string): void => {
    const actual = presence.enterPage(idOf(c), p);
    const conn = liveConn(c);
    if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
    if (conn.pages.includes(p)) {
      told(conn, p);
      return agree(actual, { ok: true, ...model.pageCounts(p), subscribe: false }, cmdName);
    }
    if (conn.pages.length >= OPTIONS.maxPagesPerSocket) return refused(actual, 'LIMIT_EXCEEDED', cmdName);
    const held = conn.counted ? model.findHeld(conn, (h) => h.pages.includes(p)) : undefined;
    conn.pages.push(p);
    if (held) {
      held.pages = held.pages.filter((x) => x !== p);
      model.releaseIfEmpty(held);
    }
    told(conn, p);
    agree(actual, { ok: true, ...model.pageCounts(p), subscribe: !conn.watched.includes(p) }, cmdName);
  };

  const join = (c: ModelConn | undefined, r: string, input: ProfileInput | undefined): void => {
    const result = presence.joinRoom(idOf(c), r, input);
    // What a join ack lists: the join's result and the roster read after it.
    const actual = result.ok ? { ...result, members: presence.roster(r).members } : result;
    const conn = liveConn(c);
    if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
    if (!conn.counted || !allowed(r, conn.identity)) return refused(actual, 'FORBIDDEN', cmdName);
    const joined = conn.rooms.includes(r);
    if (!joined && conn.rooms.length >= OPTIONS.maxRoomsPerSocket) return refused(actual, 'LIMIT_EXCEEDED', cmdName);
    const members = model.rooms.get(r) ?? [];
    model.rooms.set(r, members);
    const key = keyOf(conn.identity);
    let member = members.find((m) => m.key === key);
    if (!member) {
      member = {
        key,
        userId: conn.identity.userId,
        profile: model.resolveProfile(null, input, conn.identity),
        since: model.now,
        until: model.now,
      };
      members.push(member);
      model.back(r, key);
      conn.rooms.push(r);
      if (!model.isLarge(r)) model.expected.push({ type: 'room:joined', room: r, member: model.view(r, member), except: conn.id });
    } else {
      const before = model.activityOf(r, member);
      if (!joined) {
        const held = model.findHeld(conn, (h) => h.rooms.includes(r));
        conn.rooms.push(r);
        if (held) {
          held.rooms = held.rooms.filter((x) => x !== r);
          model.releaseIfEmpty(held);
        }
      }
      model.applyProfile(r, member, input, conn, before);
    }
    if (input?.name !== undefined) conn.names.set(r, input.name);
    if (model.isLarge(r)) conn.knownTotals.set(r, members.length);
    agree(actual, {
      ok: true,
      room: r,
      self: model.view(r, member),
      members: model.members(r).slice(0, model.rosterMax),
      total: model.members(r).length,
      subscribe: !joined,
    }, cmdName);
  };

  const advance = (ms: number): number => {
    const expired = model.advance(ms);
    clock.advance(ms);
    return expired;
  };

  /** Moves time until a whole stats interval (the longer one) passed without a grace expiry. */
  const settle = () => {
    while (advance(OPTIONS.statsIntervalMs) > 0);
  };

  const apply = (cmd: Command): void => {
    switch (cmd.kind) {
      case 'connect':
        connect(identityOf(CLIENTS[cmd.client], cmd.user), cmd.counted);
        return;
      case 'token': {
        const c = pick(cmd.target);
        const identity = identityOf(c?.identity.clientId ?? CLIENTS[0], cmd.user);
        const actual = presence.changeIdentity(idOf(c), identity);
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        agree(actual, { ok: true, left: model.changeIdentity(conn, identity) }, cmdName);
        return;
      }
      case 'reconnect': {
        const old = pick(cmd.target);
        if (!old) return;
        const pages = [...old.pages];
        const rooms = [...old.rooms];
        const conn = connect(old.identity, old.counted);
        if (cmd.reenter) {
          for (const p of pages) enter(conn, p);
          for (const r of rooms) join(conn, r, undefined);
        }
        return;
      }
      case 'enter':
        return enter(pick(cmd.target), PAGES[cmd.page]);
      case 'leave': {
        const c = pick(cmd.target);
        const p = PAGES[cmd.page];
        const actual = presence.leavePage(idOf(c), p);
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        if (!conn.pages.includes(p)) return agree(actual, { ok: true, unsubscribe: false }, cmdName);
        conn.pages = conn.pages.filter((x) => x !== p);
        agree(actual, { ok: true, unsubscribe: !conn.watched.includes(p) }, cmdName);
        return;
      }
      case 'watch': {
        const c = pick(cmd.target);
        const pages = cmd.pages.map((i) => PAGES[i]);
        const actual = presence.watchPages(idOf(c), pages);
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        const unique = [...new Set(pages)];
        const added = unique.filter((p) => !conn.watched.includes(p));
        if (conn.watched.length + added.length > OPTIONS.maxWatchedPerSocket) {
          return refused(actual, 'LIMIT_EXCEEDED', cmdName);
        }
        conn.watched.push(...added);
        for (const p of unique) told(conn, p);
        agree(actual, {
          ok: true,
          counts: unique.map((p) => model.pageCounts(p)),
          subscribe: added.filter((p) => !conn.pages.includes(p)),
        }, cmdName);
        return;
      }
      case 'unwatch': {
        const c = pick(cmd.target);
        const pages = cmd.pages.map((i) => PAGES[i]);
        const actual = presence.unwatchPages(idOf(c), pages);
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        const unsubscribe: string[] = [];
        for (const p of pages) {
          if (!conn.watched.includes(p)) continue;
          conn.watched = conn.watched.filter((x) => x !== p);
          if (!conn.pages.includes(p)) unsubscribe.push(p);
        }
        agree(actual, { ok: true, unsubscribe }, cmdName);
        return;
      }
      case 'join':
        return join(pick(cmd.target), ROOMS[cmd.room], cmd.profile);
      case 'leaveRoom': {
        const c = pick(cmd.target);
        const r = ROOMS[cmd.room];
        const actual = presence.leaveRoom(idOf(c), r);
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        if (!conn.rooms.includes(r)) return agree(actual, { ok: true, room: r, unsubscribe: false }, cmdName);
        model.leaveRoomOf(conn, r, 'leave', conn.id);
        agree(actual, { ok: true, room: r, unsubscribe: true }, cmdName);
        return;
      }
      case 'update': {
        const c = pick(cmd.target);
        const r = ROOMS[cmd.room];
        const actual = presence.updateProfile(idOf(c), r, cmd.profile);
        const conn = liveConn(c);
        if (!conn || !conn.rooms.includes(r)) return refused(actual, 'BAD_REQUEST', cmdName);
        const member = model.rooms.get(r)?.find((m) => m.key === keyOf(conn.identity));
        if (!member) throw new Error('model: member missing');
        model.applyProfile(r, member, cmd.profile, conn);
        if (cmd.profile.name !== undefined) conn.names.set(r, cmd.profile.name);
        agree(actual, { ok: true, room: r, self: model.view(r, member) }, cmdName);
        return;
      }
      case 'typing': {
        const c = pick(cmd.target);
        const r = ROOMS[cmd.room];
        const actual = presence.setTyping(idOf(c), r, cmd.typing);
        const conn = liveConn(c);
        if (!conn || !conn.rooms.includes(r)) return refused(actual, 'BAD_REQUEST', cmdName);
        if (cmd.typing) model.startTyping(conn, r);
        else model.stopTyping(conn, r);
        agree(actual, { ok: true }, cmdName);
        return;
      }
      case 'disconnect': {
        const c = pick(cmd.target);
        presence.disconnect(idOf(c));
        if (c) model.disconnect(c);
        return;
      }
      case 'activity': {
        const c = pick(cmd.target);
        const conn = liveConn(c);
        const previous = conn?.activity;
        if (conn && previous !== 'hidden' && cmd.state === 'hidden') {
          // As the transport does before a socket stops listening: what it holds is what it was told.
          const followed = presence.followed(conn.id);
          agree(followed, followedBy(conn), `${cmdName} → followed`);
          agree(presence.lastSent(conn.id, followedBy(conn)), knownBy(conn), `${cmdName} → what ${conn.id} holds as it goes hidden`);
        }
        const actual = presence.setActivity(idOf(c), cmd.state);
        if (!conn || previous === undefined) return refused(actual, 'BAD_REQUEST', cmdName);
        agree(actual, { ok: true, state: cmd.state, previous }, cmdName);
        const rooms = conn.counted ? conn.rooms : [];
        const before = rooms.map((r) => model.rooms.get(r)?.find((m) => m.key === keyOf(conn.identity)));
        const activities = rooms.map((r, i) => model.activityOf(r, before[i]!));
        conn.activity = cmd.state;
        rooms.forEach((r, i) => {
          const member = before[i]!;
          if (model.activityOf(r, member) !== activities[i] && !model.large.has(r)) {
            model.expected.push({ type: 'room:updated', room: r, member: model.view(r, member), except: conn.id });
          }
        });
        if (previous === 'hidden' && cmd.state !== 'hidden') {
          // As the transport does once it listens again: the current figures, which it now holds.
          const followed = followedBy(conn);
          const caught = presence.caughtUp(conn.id, followed);
          for (const p of followed.pages) told(conn, p);
          for (const r of followed.rooms) if (presence.isLarge(r)) conn.knownTotals.set(r, model.members(r).length);
          if (conn.watchingStats) {
            conn.knownStats = model.stats();
            statsAckedSinceSend = true;
          }
          agree(caught, knownBy(conn), `${cmdName} → what ${conn.id} is caught up with`);
        }
        return;
      }
      case 'watchStats': {
        const c = pick(cmd.target);
        const actual = presence.watchStats(idOf(c));
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        conn.watchingStats = true;
        conn.knownStats = model.stats();
        if (listening(conn)) statsAckedSinceSend = true;
        agree(actual, { ok: true, ...model.stats() }, cmdName);
        return;
      }
      case 'unwatchStats': {
        const c = pick(cmd.target);
        const actual = presence.unwatchStats(idOf(c));
        const conn = liveConn(c);
        if (!conn) return refused(actual, 'BAD_REQUEST', cmdName);
        conn.watchingStats = false;
        agree(actual, { ok: true }, cmdName);
        return;
      }
      case 'advance':
        advance(cmd.ms);
        return;
      case 'settle':
        settle();
        return;
    }
  };

  /** Compares everything observable with the model. */
  const check = (timed: boolean): void => {
    // Figures.
    for (const p of PAGES) {
      const counts = presence.pageCounts(p);
      agree(counts, model.pageCounts(p), `${cmdName} → pageCounts(${p})`);
      if (counts.viewers < 0 || counts.connections < counts.viewers) fail('negative or inconsistent counts', counts);
    }
    for (const r of ROOMS) {
      const members = presence.members(r);
      agree(members, model.members(r), `${cmdName} → members(${r})`);
      if (members.some((m) => m.connections < 1)) fail('a member without connections', members);
      agree(presence.typingIn(r), model.typingList(r), `${cmdName} → typingIn(${r})`);
      agree(presence.recentLeavers(r), model.recent(r), `${cmdName} → recentLeavers(${r})`);
    }
    agree(presence.stats(), model.stats(), `${cmdName} → stats()`);
    agree(presence.sizes(), model.sizes(), `${cmdName} → sizes()`);

    // Announcements of this step.
    const fresh = sink.events.slice(seen);
    seen = sink.events.length;
    const roomEvents = fresh.filter(isRoomEvent).map(strip);
    const expected = model.expected;
    model.expected = [];
    if (timed) {
      // Several expiries in one move: their order is the timers' order.
      agree(roomEvents.map(order).sort(), expected.map(order).sort(), `${cmdName} → room events`);
    } else {
      agree(roomEvents, expected, `${cmdName} → room events`);
      // Counts and stats go out only once the current task is done.
      agree(fresh.filter((e) => !isRoomEvent(e)), [], `${cmdName} → synchronous counts or stats`);
    }
    if (!model.watchingStats() && fresh.some((e) => e.type === 'stats')) fail('stats sent with no watcher', fresh);

    for (const e of fresh) {
      if (e.type === 'page:count') {
        const { counts } = e;
        if (counts.viewers < 0 || counts.connections < counts.viewers) fail('negative or inconsistent page:count', e);
        const last = lastCount.get(counts.page);
        const subscribers = model.conns.filter((c) => subscribed(c, counts.page));
        // The value last sent (a quiet page's last value is 0) is sent again
        // only for a subscriber that was acked something else meanwhile.
        if (isDeepStrictEqual(counts, last?.counts ?? zero(counts.page))) {
          const allowed =
            repeats === 'acked'
              ? ackedSinceSend.has(counts.page)
              : subscribers.some((c) => !isDeepStrictEqual(c.knownCounts.get(counts.page), counts));
          if (!allowed) fail(`page:count repeats the value last sent (${repeats})`, { e, last });
        }
        if (last && e.at - last.at < OPTIONS.countIntervalMs) fail('page:count twice within the interval', { e, last });
        lastCount.set(counts.page, { at: e.at, counts });
        ackedSinceSend.delete(counts.page);
        for (const c of subscribers) c.knownCounts.set(counts.page, counts);
      } else if (e.type === 'stats') {
        const watchers = model.conns.filter((c) => listening(c) && c.watchingStats);
        if (lastStats && isDeepStrictEqual(e.stats, lastStats.stats)) {
          const allowed =
            repeats === 'acked' ? statsAckedSinceSend : watchers.some((c) => !isDeepStrictEqual(c.knownStats, e.stats));
          if (!allowed) fail(`stats repeat the value last sent (${repeats})`, { e, lastStats });
        }
        if (lastStats && e.at - lastStats.at < OPTIONS.statsIntervalMs) fail('stats twice within the interval', e);
        lastStats = { at: e.at, stats: e.stats };
        statsAckedSinceSend = false;
        for (const c of watchers) c.knownStats = e.stats;
      } else if (e.type === 'room:count') {
        // Whether it should have been sent is judged at the trailing edges: the truth then.
        if (e.total < 0) fail('negative room:count', e);
        largeReplica.set(e.room, e.total);
        for (const c of model.conns) if (listening(c) && c.rooms.includes(e.room)) c.knownTotals.set(e.room, e.total);
      } else if (e.type === 'room:sync') {
        if (!largeReplica.has(e.room) && !model.wentLarge.has(e.room)) fail('room:sync for a room that was never large', e);
        model.wentLarge.delete(e.room);
        largeReplica.delete(e.room);
        for (const c of model.conns) c.knownTotals.delete(e.room);
        replica.set(e.room, new Map(e.members.map((m) => [m.userId, { name: m.name, status: m.status, meta: m.meta, activity: m.activity }])));
        if (e.total !== e.members.length) fail('room:sync with a total that is not its members', e);
        typingReplica.set(e.room, new Set(e.typing));
      } else if (e.type === 'room:typing') {
        if (largeReplica.has(e.room)) fail('room:typing in a large room', e);
        let typing = typingReplica.get(e.room);
        if (!typing) typingReplica.set(e.room, (typing = new Set()));
        if (!e.typing) {
          if (!typing.delete(e.userId)) fail('room:typing stops a member that was not typing', e);
        } else if (typing.has(e.userId) || !replica.get(e.room)?.has(e.userId)) {
          fail('room:typing starts a member that was typing already, or is not in the room', e);
        } else typing.add(e.userId);
      } else {
        if (largeReplica.has(e.room)) fail('a per-member event in a large room', e);
        let members = replica.get(e.room);
        if (!members) replica.set(e.room, (members = new Map()));
        const { type } = e;
        if (type === 'room:updated' && e.previousUserId !== undefined) {
          // The member of previousUserId is gone, replaced by one the room did not have.
          if (!members.delete(e.previousUserId) || members.has(e.member.userId)) fail('room:updated replacing out of turn', e);
          members.set(e.member.userId, { name: e.member.name, status: e.member.status, meta: e.member.meta, activity: e.member.activity });
        } else if (type === 'room:joined' || type === 'room:updated') {
          if (members.has(e.member.userId) !== (type === 'room:updated')) fail(`${type} out of turn`, e);
          members.set(e.member.userId, { name: e.member.name, status: e.member.status, meta: e.member.meta, activity: e.member.activity });
        } else if (!members.delete(e.userId)) {
          fail('room:left for a user not in the room', e);
        } else if (typingReplica.get(e.room)?.has(e.userId)) {
          fail('room:left for a member still typing: its stop must come first', e);
        }
      }
    }
    checkOccupancy(timed);
    for (const r of ROOMS) {
      // A large room's members are not announced; its count is checked at trailing edges.
      if (model.large.has(r) || largeReplica.has(r)) continue;
      const known = [...(replica.get(r) ?? new Map<string, Profile & { activity: ActivityState }>()).entries()]
        .map(([userId, p]) => ({ userId, ...p }))
        .sort((a, b) => (a.userId < b.userId ? -1 : 1));
      const actual = presence
        .members(r)
        .map(({ userId, name, status, meta, activity }) => ({ userId, name, status, meta, activity }))
        .sort((a, b) => (a.userId < b.userId ? -1 : 1));
      agree(known, actual, `${cmdName} → what the announcements tell of ${r}`);
      const typing = [...(typingReplica.get(r) ?? [])].sort();
      agree(typing, [...presence.typingIn(r)].sort(), `${cmdName} → who the announcements tell types in ${r}`);
    }
  };

  /**
   * Replays this step's occupancy reports: each one must follow from the
   * ones before (a page or room occupied once until vacated, a member joined
   * once until it left, into an occupied room, a room vacated only once
   * empty), a departure must be the model's (reason and duration), and what
   * they tell must be who is present: the pages with viewers, the rooms with
   * members, large rooms included.
   */
  const checkOccupancy = (timed: boolean): void => {
    const fresh = occupancy.events.slice(occupancySeen);
    occupancySeen = occupancy.events.length;
    for (const e of fresh) {
      if (e.type === 'pageOccupied' || e.type === 'pageVacated') {
        if (occupiedPages.has(e.page) !== (e.type === 'pageVacated')) fail(`${e.type} out of turn`, e);
        if (e.type === 'pageOccupied') occupiedPages.add(e.page);
        else occupiedPages.delete(e.page);
        continue;
      }
      const members = occupiedRooms.get(e.room);
      if (e.type === 'roomOccupied') {
        if (members) fail('roomOccupied for an occupied room', e);
        occupiedRooms.set(e.room, new Map());
      } else if (!members) {
        fail(`${e.type} for a room not occupied`, e);
      } else if (e.type === 'memberJoined') {
        if (members.has(e.member.userId)) fail('memberJoined for a member', e);
        if (e.member.since !== e.at) fail('memberJoined with another since than its time', e);
        members.set(e.member.userId, e.member.since);
      } else if (e.type === 'memberLeft') {
        const since = members.get(e.userId);
        if (since === undefined) fail('memberLeft for a user not in the room', e);
        // Present from since to its last moment there (a disconnect, for a grace that ran out): never after now.
        if (e.duration < 0 || e.duration > e.at - since) fail('memberLeft with a duration outside since to now', { e, since });
        members.delete(e.userId);
      } else {
        if (members.size > 0) fail('roomVacated with members left', e);
        occupiedRooms.delete(e.room);
      }
    }
    // A replacement is not reported (no webhook): who is present learns it from the room's events instead.
    for (const { room, previousUserId, userId } of model.replaced) {
      const members = occupiedRooms.get(room);
      const since = members?.get(previousUserId);
      if (!members || since === undefined || members.has(userId)) fail('a replacement of a member the reports do not tell', { room, previousUserId, userId });
      members.delete(previousUserId);
      members.set(userId, since);
    }
    model.replaced = [];
    const left = fresh.filter((e) => e.type === 'memberLeft').map(({ at, type, ...departure }) => (void at, void type, departure));
    const departures = model.departures;
    model.departures = [];
    if (timed) agree(left.map((d) => JSON.stringify(d)).sort(), departures.map((d) => JSON.stringify(d)).sort(), `${cmdName} → departures`);
    else agree(left, departures, `${cmdName} → departures`);
    agree([...occupiedPages].sort(), PAGES.filter((p) => model.pageCounts(p).viewers > 0), `${cmdName} → occupied pages`);
    for (const r of ROOMS) {
      const told = [...(occupiedRooms.get(r) ?? new Map<string, number>()).entries()].sort();
      const truth = model.members(r).map((m): [string, number] => [m.userId, m.since]).sort();
      agree(told, truth, `${cmdName} → who the occupancy reports tell is in ${r}`);
      if (occupiedRooms.has(r) !== truth.length > 0) fail(`${r} occupied as reported: ${occupiedRooms.has(r)}`, truth);
    }
  };

  /**
   * After a quiet interval, the last page:count of every page is the truth,
   * and so is what every subscriber was last told (ack or announcement) of
   * each page it is on or watches, and every stats watcher of the stats.
   */
  const checkTrailingEdges = () => {
    for (const p of PAGES) {
      const last = lastCount.get(p)?.counts ?? zero(p);
      const truth = presence.pageCounts(p);
      agree(last, truth, `${cmdName} → last page:count of ${p}`);
      for (const c of model.conns.filter((x) => subscribed(x, p))) {
        agree(c.knownCounts.get(p), truth, `${cmdName} → what ${c.id} was last told of ${p}`);
      }
    }
    for (const r of ROOMS) {
      const { total } = presence.roster(r);
      if (model.large.has(r)) agree(largeReplica.get(r), total, `${cmdName} → last room:count of ${r}`);
      // A large room that emptied has nobody left to tell.
      else if (largeReplica.has(r) && total > 0) fail(`${r} is back below the line but no room:sync said so`, r);
    }
    const stats = presence.stats();
    for (const c of model.conns.filter((x) => listening(x) && x.watchingStats)) {
      agree(c.knownStats, stats, `${cmdName} → what ${c.id} was last told of the stats`);
    }
  };

  try {
    for (const cmd of commands) {
      cmdName = JSON.stringify(cmd);
      apply(cmd);
      check(cmd.kind === 'advance' || cmd.kind === 'settle');
      if (cmd.kind === 'settle') checkTrailingEdges();
    }
    cmdName = 'final settle';
    settle();
    check(true);
    checkTrailingEdges();

    // Everyone goes; once the grace and the intervals ran out, nothing is left.
    for (const c of model.conns) {
      presence.disconnect(c.id);
      model.disconnect(c);
    }
    cmdName = 'everyone disconnects';
    check(false);
    cmdName = 'grace and intervals run out';
    advance(OPTIONS.graceMs);
    settle();
    advance(OPTIONS.statsIntervalMs * 2);
    check(true);
    checkTrailingEdges();
    for (const p of PAGES) expect(presence.pageCounts(p)).toEqual({ page: p, viewers: 0, connections: 0, active: 0 });
    for (const r of ROOMS) expect(presence.members(r)).toEqual([]);
    expect(presence.stats()).toEqual({ online: { connections: 0, visitors: 0 }, top: [] });
    expect(presence.sizes()).toEqual({ connections: 0, visitors: 0, pages: 0, rooms: 0, held: 0 });
    // Every byte charged to an address was given back.
    expect(presence.stateBytes()).toBe(0);
    // Who left is remembered for RECENT_MS, then forgotten by one sweep.
    cmdName = 'the recent leavers age out';
    advance(RECENT_MS);
    check(true);
    for (const r of ROOMS) expect(presence.recentLeavers(r)).toEqual([]);
    // White-box: no page entry, no recent leaver and no timer outlives the activity.
    expect((presence as unknown as { recent: { size: number } }).recent.size).toBe(0);
    expect((presence as unknown as { pages: Map<string, unknown> }).pages.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  } finally {
    presence.dispose();
  }
}

describe('Presence (randomized, against a model)', () => {
  it('agrees with a naive model after every step of random sessions', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 300, size: 'large' }), (commands) => {
        run(commands);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with the model on long sessions with few clients', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 300, maxLength: 600, size: 'large' }), (commands) => {
        run(commands);
      }),
      { numRuns: 20 },
    );
  });

  it('agrees with the model when rooms go large and back (ROSTER_MAX 2)', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 400, size: 'large' }), (commands) => {
        run(commands, 'acked', 2);
      }),
      { numRuns: 100 },
    );
  });

  it('never repeats a page:count or stats value that no subscriber needs', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 300, size: 'large' }), (commands) => {
        run(commands, 'needed');
      }),
      { numRuns: 100 },
    );
  });
});

import { isDeepStrictEqual } from 'node:util';
import { RECENT_MAX, type ActivityState, type Member, type RoomSyncEvent } from '@presently/protocol';
import type { ClusterListener, LedgerMember, PresenceContributions } from '@presently/presence-core';
import { startRedis, until, type RunningRedis } from '@presently/testing';
import { Redis } from 'ioredis';
import { DATA_FORMAT } from './contract';
import { RedisPresenceStore } from './redis-presence-store';

/**
 * The store against a real redis-server, two stores standing for two
 * processes: contributions add up exactly under concurrency, a room event is
 * decided once, a held contribution moves to the other process, a dead
 * process's share is withdrawn exactly once, and after Redis restarted every
 * process is told to read its figures again once they are exact.
 */

const EMPTY: PresenceContributions = { online: [], pages: [], rooms: [], held: [], typing: [] };

type Recorder = ClusterListener & {
  joined: string[];
  left: [string, string][];
  /** `userId duration` of each leave. */
  durations: string[];
  /** `room userId true|false except` of each typing start and stop. */
  typing: string[];
  moved: string[];
  updated: string[];
  /** `previousUserId>userId` of each member replaced by another user's. */
  replaced: string[];
  /** room userId activity except, of each room:updated. */
  activities: string[];
  roomsChanged: string[];
  synced: string[];
  polls: string[];
  closed: string[];
  /** Each change of who is present the store decided here, as `<kind> <key>[ <userId> <reason> <duration>]`. */
  occupancy: string[];
  /** Called on each resynced(), if set. */
  onResynced: (() => void) | null;
};

function listener(): Recorder {
  const l: Recorder = {
    joined: [] as string[],
    left: [] as [string, string][],
    durations: [] as string[],
    typing: [] as string[],
    moved: [] as string[],
    updated: [] as string[],
    replaced: [] as string[],
    activities: [] as string[],
    roomsChanged: [] as string[],
    synced: [] as string[],
    polls: [] as string[],
    closed: [] as string[],
    occupancy: [] as string[],
    onResynced: null,
    changed: () => undefined,
    roomJoined: (_room: string, member: { userId: string }) => void l.joined.push(member.userId),
    roomUpdated: (room: string, member: Member, except: string | null, previousUserId?: string) => {
      if (previousUserId === undefined) l.updated.push(member.userId);
      else l.replaced.push(`${previousUserId}>${member.userId}`);
      l.activities.push(`${room} ${member.userId} ${member.activity} ${except}`);
    },
    roomChanged: (room: string) => void l.roomsChanged.push(room),
    pollChanged: (poll: string) => void l.polls.push(poll),
    pollClosed: (poll: string) => void l.closed.push(poll),
    roomSync: ({ room, members, total, typing }: RoomSyncEvent) =>
      void l.synced.push(`${room}: ${members.map((m) => m.userId).join(' ')}${total === members.length ? '' : ` of ${total}`}${typing.length ? ` typing ${typing.join(' ')}` : ''}`),
    roomLeft: (_room: string, userId: string, reason: string, duration: number) => {
      l.left.push([userId, reason]);
      l.durations.push(`${userId} ${duration}`);
    },
    roomTyping: (room: string, userId: string, typing: boolean, except: string | null) => void l.typing.push(`${room} ${userId} ${typing} ${except}`),
    takenOver: (kind: string, key: string, clientId: string, _userKey: string, activity: ActivityState) => void l.moved.push(`${kind} ${key} ${clientId} ${activity}`),
    resynced: () => l.onResynced?.(),
    pageOccupied: (page: string) => void l.occupancy.push(`page.occupied ${page}`),
    pageVacated: (page: string) => void l.occupancy.push(`page.vacated ${page}`),
    roomOccupied: (room: string) => void l.occupancy.push(`room.occupied ${room}`),
    memberJoined: (room: string, member: { userId: string }) => void l.occupancy.push(`joined ${room} ${member.userId}`),
    memberLeft: (room: string, { userId, reason }: { userId: string; reason: string }) => void l.occupancy.push(`left ${room} ${userId} ${reason}`),
    roomVacated: (room: string) => void l.occupancy.push(`room.vacated ${room}`),
  };
  return l;
}

const who = (clientId: string, userId = clientId, activity: ActivityState = 'active'): LedgerMember => ({ clientId, userKey: `a:${clientId}`, userId, tokenName: null, activity });
/** A signed-in user's connection whose token names it `name`. */
const user = (clientId: string, userId: string, name: string, activity: ActivityState = 'active'): LedgerMember => ({
  clientId,
  userKey: `u:${userId}`,
  userId,
  tokenName: name,
  activity,
});

describe('RedisPresenceStore', () => {
  let redis: RunningRedis;
  const stores: RedisPresenceStore[] = [];
  let prefix = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.stop()));
  });
  afterAll(async () => {
    await redis.dispose();
  });

  async function start(
    options: { heartbeatMs?: number; heartbeatTtlMs?: number; keyPrefix?: string; rosterMax?: number; recentMs?: number; contributions?: () => PresenceContributions } = {},
  ) {
    const events = listener();
    const store = new RedisPresenceStore({ connection: { url: redis.url }, prefix: options.keyPrefix ?? `t${prefix}:`, ...options });
    stores.push(store);
    await store.start(options.contributions ?? (() => EMPTY), events);
    return { store, events };
  }

  beforeEach(() => void prefix++);

  it('adds up concurrent changes of one page from two processes without losing one', async () => {
    const [{ store: a }, { store: b }] = await Promise.all([start(), start()]);
    for (let i = 0; i < 200; i++) {
      a.page('/hot', who(`client-a-${i % 50}`), 1, false);
      b.page('/hot', who(`client-b-${i % 70}`), 1, false);
      b.page('/hot', who(`client-a-${i % 50}`), 1, false);
    }
    for (let i = 0; i < 100; i++) a.page('/hot', who(`client-a-${i % 50}`), -1, false);
    await Promise.all([a.settled(), b.settled()]);
    expect(await a.pageCounts(['/hot'])).toEqual([{ page: '/hot', viewers: 120, connections: 500, active: 120 }]);
    expect(await b.pageCounts(['/hot', '/none'])).toEqual([
      { page: '/hot', viewers: 120, connections: 500, active: 120 },
      { page: '/none', viewers: 0, connections: 0, active: 0 },
    ]);
    expect((await b.stats()).top).toEqual([{ page: '/hot', viewers: 120 }]);
  });

  it('decides a user\'s first join anywhere once, and its leave after its last connection', async () => {
    const [{ store: a, events }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    const change = (origin: string) => ({ origin, now: Date.now() });
    a.room('lobby', who('client-uu', 'uu'), 1, change('s1'));
    // The first join is made before the second (the two travel on two connections, in no order).
    await a.settled();
    b.room('lobby', who('client-uu', 'uu'), 1, change('s2'));
    await Promise.all([a.settled(), b.settled()]);
    // Whichever of the two concurrent joins came first decided it.
    expect([...events.joined, ...bEvents.joined]).toEqual(['uu']);
    expect((await b.members('lobby')).map((m) => [m.userId, m.connections])).toEqual([['uu', 2]]);
    a.room('lobby', who('client-uu', 'uu'), -1, { ...change('s1'), reason: 'leave' });
    await a.settled();
    expect(events.left).toEqual([]);
    b.room('lobby', who('client-uu', 'uu'), -1, { ...change('s2'), reason: 'leave' });
    await b.settled();
    expect([events.left, bEvents.left]).toEqual([[], [['uu', 'leave']]]);
    expect(await a.members('lobby')).toEqual([]);
  });

  it('moves a held contribution to the process a client returns to, without counting it twice', async () => {
    const [{ store: a, events: aEvents }, { store: b }] = await Promise.all([start(), start()]);
    a.page('/p', who('client-r1'), 1, false);
    a.hold('p', '/p', who('client-r1'), 1);
    // The place is held before the client comes back (its commands and b's travel on two connections, in no order).
    await a.settled();
    b.page('/p', who('client-r1'), 1, false);
    await b.settled();
    expect(await b.pageCounts(['/p'])).toEqual([{ page: '/p', viewers: 1, connections: 1, active: 1 }]);
    await until(() => aEvents.moved.length === 1, 'the holder heard of the take-over');
    expect(aEvents.moved).toEqual(['p /p client-r1 active']);
    // The holder's grace running out now counts nothing down.
    a.page('/p', who('client-r1'), -1, true);
    await a.settled();
    expect(await b.pageCounts(['/p'])).toEqual([{ page: '/p', viewers: 1, connections: 1, active: 1 }]);
  });

  it('moves a connection to another user once for the cluster: the member itself in its place, else a leave and a join', async () => {
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    // Each member joins a millisecond after the last (the roster's order is by since).
    let now = Date.now();
    const change = (origin: string) => ({ origin, now: now++ });
    a.room('lobby', who('client-obs', 'obs'), 1, change('s-obs'));
    a.room('lobby', who('client-c1', 'c1'), 1, { ...change('s1'), input: { status: 'busy', meta: { x: 1 } } });
    await a.settled();
    const [observer, anonymous] = await b.members('lobby');

    // Its only connection, the new user not there: the member moves, in its place, keeping status, meta and since.
    aEvents.occupancy.length = 0;
    a.switchUser('lobby', who('client-c1', 'c1'), user('client-c1', 'ann', 'Ann'), { name: 'Ann', origin: 's1', now: anonymous.since + 1000 });
    await a.settled();
    expect([aEvents.replaced, aEvents.left, aEvents.joined]).toEqual([['c1>ann'], [], ['obs', 'c1']]);
    // Nobody arrived or left: nothing for webhooks.
    expect(aEvents.occupancy).toEqual([]);
    const ann = { userId: 'ann', name: 'Ann', status: 'busy', meta: { x: 1 }, connections: 1, since: anonymous.since, activity: 'active' as const };
    expect(await b.members('lobby')).toEqual([observer, ann]);
    // A replacement is no leave: nobody is a recent leaver.
    expect(await b.recent('lobby')).toEqual([]);

    // The new user is there (through the other process): the old member leaves, the user gains the connection and the token's name.
    b.room('lobby', user('client-c2', 'ann', 'Ann'), 1, change('s2'));
    b.room('lobby', who('client-c3', 'c3'), 1, change('s3'));
    await b.settled();
    bEvents.occupancy.length = 0;
    const c3Since = (await b.members('lobby')).find((m) => m.userId === 'c3')?.since as number;
    const switchedAt = c3Since + 1500;
    b.switchUser('lobby', who('client-c3', 'c3'), user('client-c3', 'ann', 'Ann B'), { name: 'Ann B', origin: 's3', now: switchedAt });
    await b.settled();
    expect([bEvents.left, bEvents.updated, bEvents.joined]).toEqual([[['c3', 'leave']], ['ann'], ['c3']]);
    // The old member left at the switch: room:left's duration, and a recent leaver with it.
    expect(bEvents.durations).toEqual(['c3 1500']);
    expect((await a.recent('lobby')).map((l) => [l.userId, l.duration])).toEqual([['c3', 1500]]);
    expect(bEvents.occupancy).toEqual(['left lobby c3 leave']);
    expect(await a.members('lobby')).toEqual([observer, { ...ann, name: 'Ann B', connections: 3 }]);

    // The old user keeps other connections: it stays, and the new user joins as a new member with the status and meta the connection had.
    const later = now + 2000;
    a.switchUser('lobby', user('client-c1', 'ann', 'Ann B'), who('client-c1', 'c1'), { name: 'Zed', origin: 's1', now: later });
    await a.settled();
    expect([aEvents.joined, aEvents.left]).toEqual([['obs', 'c1', 'c1'], []]);
    expect(aEvents.occupancy).toEqual(['joined lobby c1']);
    expect(await b.members('lobby')).toEqual([observer, { ...ann, name: 'Ann B', connections: 2 }, { userId: 'c1', name: 'Zed', status: 'busy', meta: { x: 1 }, connections: 1, since: later, activity: 'active' }]);

    // Each process's share followed its connections: withdrawing one leaves exactly the other's.
    stores.splice(stores.indexOf(a), 1);
    await a.stop();
    expect((await b.members('lobby')).map((m) => [m.userId, m.connections])).toEqual([['ann', 2]]);
  });

  it('keeps a switch of user in a large room quiet: a replacement moves no total, a new member is a count, a leave below the line one snapshot', async () => {
    const keyPrefix = `switch${prefix}:`;
    const { store: a, events } = await start({ keyPrefix, rosterMax: 3 });
    // Each member joins a millisecond after the last (the roster's order is by since).
    let now = Date.now();
    const change = (origin: string) => ({ origin, now: now++ });
    for (const id of ['u1', 'u2', 'u3', 'u4']) a.room('big', who(`client-${id}`, id), 1, change(`s-${id}`));
    a.room('big', who('client-u4', 'u4'), 1, change('s-u4b'));
    await a.settled();
    a.switchUser('big', who('client-u1', 'u1'), user('client-u1', 'ann', 'Ann'), { name: 'Ann', origin: 's-u1', now: now++ });
    await a.settled();
    expect([events.replaced, events.updated]).toEqual([[], []]);
    expect((await a.members('big')).map((m) => m.userId)).toEqual(['ann', 'u2', 'u3', 'u4']);
    a.switchUser('big', who('client-u4', 'u4'), user('client-u4', 'bob', 'Bob'), { name: 'Bob', origin: 's-u4', now: now++ });
    await a.settled();
    expect(await a.roomTotal('big')).toBe(5);
    expect([events.joined.slice(3), events.left]).toEqual([[], []]);
    // 5 → 3 members (u2 and u3 leave, 3 ≥ 2.7), then u4's last connection becomes bob's: 2 members, one snapshot.
    a.room('big', who('client-u2', 'u2'), -1, { ...change('s-u2'), reason: 'leave' });
    a.room('big', who('client-u3', 'u3'), -1, { ...change('s-u3'), reason: 'leave' });
    a.switchUser('big', who('client-u4', 'u4'), user('client-u4', 'bob', 'Bob'), { name: 'Bob', origin: 's-u4b', now: now++ });
    await a.settled();
    await until(() => events.synced.length > 0, 'the snapshot was read');
    expect(events.synced).toEqual(['big: ann bob']);
    expect([events.left, events.joined.slice(3), events.updated]).toEqual([[], [], []]);
  });

  it("counts each page's active clients across processes; an activity change and a take-over by another activity move them", async () => {
    const [{ store: a, events: aEvents }, { store: b }] = await Promise.all([start(), start()]);
    a.page('/act', who('c1'), 1, false);
    b.page('/act', who('c2', 'c2', 'idle'), 1, false);
    b.page('/act', who('c1', 'c1', 'hidden'), 1, false);
    await Promise.all([a.settled(), b.settled()]);
    expect(await a.pageCounts(['/act'])).toEqual([{ page: '/act', viewers: 2, connections: 3, active: 1 }]);
    // c1's one active tab turns idle; c2's tab turns active.
    a.activity(who('c1', 'c1', 'idle'), 'active', ['/act'], [], 's1');
    await a.settled();
    expect(await b.pageCounts(['/act'])).toEqual([{ page: '/act', viewers: 2, connections: 3, active: 0 }]);
    b.activity(who('c2', 'c2', 'active'), 'idle', ['/act'], [], 's2');
    await b.settled();
    expect(await a.pageCounts(['/act'])).toEqual([{ page: '/act', viewers: 2, connections: 3, active: 1 }]);
    // c1's idle tab on a goes away and comes back active through b: it takes the held place.
    a.hold('p', '/act', who('c1', 'c1', 'idle'), 1);
    await a.settled();
    b.page('/act', who('c1'), 1, false);
    await b.settled();
    expect(await a.pageCounts(['/act'])).toEqual([{ page: '/act', viewers: 2, connections: 3, active: 2 }]);
    await until(() => aEvents.moved.length === 1, 'the holder heard of the take-over');
    expect(aEvents.moved).toEqual(['p /act c1 idle']);
    a.page('/act', who('c1', 'c1', 'idle'), -1, true);
    await a.settled();
    expect(await b.pageCounts(['/act'])).toEqual([{ page: '/act', viewers: 2, connections: 3, active: 2 }]);
  });

  it("decides a member's activity from its connections on every process, announced once as room:updated except to its cause", async () => {
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    const change = (origin: string) => ({ origin, now: Date.now() });
    // One after the other: the member's activity as it joined is decided by which join Redis ran first.
    a.room('team', who('c-ann', 'ann', 'idle'), 1, change('s1'));
    await a.settled();
    b.room('team', who('c-ann', 'ann', 'hidden'), 1, change('s2'));
    await b.settled();
    expect(await a.members('team')).toEqual([expect.objectContaining({ userId: 'ann', connections: 2, activity: 'idle' })]);
    expect([...aEvents.activities, ...bEvents.activities]).toEqual([]);
    // The hidden tab turns active: the member is active, told once, by the process of that tab.
    b.activity(who('c-ann', 'ann', 'active'), 'hidden', [], ['team'], 's2');
    await b.settled();
    expect(bEvents.activities).toEqual(['team ann active s2']);
    // The idle tab turns hidden: the member is still active, nothing is told.
    a.activity(who('c-ann', 'ann', 'hidden'), 'idle', [], ['team'], 's1');
    await a.settled();
    expect(aEvents.activities).toEqual([]);
    // The active tab leaves: the member stays, hidden.
    b.room('team', who('c-ann', 'ann', 'active'), -1, { ...change('s2'), reason: 'leave' });
    await b.settled();
    expect(bEvents.activities).toEqual(['team ann active s2', 'team ann hidden s2']);
    expect(await a.roster('team', 10)).toMatchObject({ total: 1, members: [{ userId: 'ann', connections: 1, activity: 'hidden' }] });
    // A join in a held place of the same process, of another activity: one room:updated.
    a.room('team', who('c-ann', 'ann', 'idle'), 0, { ...change('s3'), replaced: 'hidden' });
    await a.settled();
    expect(aEvents.activities).toEqual(['team ann idle s3']);
  });

  it('announces a member that a dead process leaves with another activity, to everyone', async () => {
    const keyPrefix = `deadact${prefix}:`;
    const timing = { heartbeatMs: 100, heartbeatTtlMs: 300, keyPrefix };
    const [{ store: a, events: aEvents }, { store: victim }] = await Promise.all([start(timing), start({ keyPrefix, heartbeatMs: 60_000, heartbeatTtlMs: 300 })]);
    const change = (origin: string) => ({ origin, now: Date.now() });
    a.room('crew', who('c-bo', 'bo', 'hidden'), 1, change('s1'));
    await a.settled();
    victim.room('crew', who('c-bo', 'bo'), 1, change('s2'));
    victim.page('/crew', who('c-bo'), 1, false);
    await victim.settled();
    expect(await a.members('crew')).toEqual([expect.objectContaining({ activity: 'active', connections: 2 })]);
    await until(() => aEvents.activities.length > 0, 'the survivor announced the member');
    expect(aEvents.activities).toEqual(['crew bo hidden null']);
    expect(await a.pageCounts(['/crew'])).toEqual([{ page: '/crew', viewers: 0, connections: 0, active: 0 }]);
    expect(aEvents.left).toEqual([]);
  });

  it('rebuilds active counts and members\' activity after Redis restarts empty', async () => {
    const contributions = (): PresenceContributions => ({
      ...EMPTY,
      pages: [['/back', 'c-re', 2, 1]],
      rooms: [
        {
          room: 'back',
          userKey: 'a:c-re',
          member: { userId: 're', name: 'Re', status: 'online', meta: {}, connections: 2, since: 1, activity: 'idle' },
          states: { active: 0, idle: 1, hidden: 1 },
        },
      ],
    });
    const { store: a, events } = await start({ contributions });
    let resyncs = 0;
    events.onResynced = () => void resyncs++;
    await redis.stop();
    await redis.start();
    await until(() => resyncs > 0 && a.ready, 'the share was rebuilt', 20_000);
    expect(await a.pageCounts(['/back'])).toEqual([{ page: '/back', viewers: 1, connections: 2, active: 1 }]);
    expect(await a.members('back')).toEqual([{ userId: 're', name: 'Re', status: 'online', meta: {}, connections: 2, since: 1, activity: 'idle' }]);
  }, 30_000);

  it('withdraws the share of a process whose heartbeat lapsed, once, with node-down leaves', async () => {
    const keyPrefix = `dead${prefix}:`;
    const timing = { heartbeatMs: 100, heartbeatTtlMs: 300, keyPrefix };
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }, { store: victim }] = await Promise.all([
      start(timing),
      start(timing),
      start({ keyPrefix, heartbeatMs: 60_000, heartbeatTtlMs: 300 }),
    ]);
    victim.page('/x', who('client-v1'), 1, false);
    victim.room('team', who('client-v1', 'vic'), 1, { origin: 'v', now: Date.now() });
    await victim.settled();
    expect(await a.pageCounts(['/x'])).toEqual([{ page: '/x', viewers: 1, connections: 1, active: 1 }]);
    // The victim stops heartbeating (its interval is a minute) and never leaves.
    await until(async () => (await a.pageCounts(['/x']))[0].connections === 0, 'the dead share is withdrawn');
    await until(() => aEvents.left.length + bEvents.left.length === 1, 'one survivor announced the leave');
    expect([...aEvents.left, ...bEvents.left]).toEqual([['vic', 'node-down']]);
    expect(await b.members('team')).toEqual([]);
  });

  it('turns a room large above rosterMax for every process, and back below 90 % of it with one snapshot', async () => {
    const keyPrefix = `large${prefix}:`;
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start({ keyPrefix, rosterMax: 3 }), start({ keyPrefix, rosterMax: 3 })]);
    const change = (origin: string) => ({ origin, now: Date.now() });
    for (const id of ['u1', 'u2', 'u3']) a.room('big', who(`client-${id}`, id), 1, change(`s-${id}`));
    await a.settled();
    expect(aEvents.joined).toEqual(['u1', 'u2', 'u3']);
    expect(bEvents.roomsChanged).toEqual([]);

    // The fourth member, joining through the other process, makes it large: no member event, a count for everyone.
    b.room('big', who('client-u4', 'u4'), 1, change('s-u4'));
    await b.settled();
    await until(() => aEvents.roomsChanged.length > 0 && bEvents.roomsChanged.length > 0, 'both processes heard of the count');
    expect([...aEvents.roomsChanged, ...bEvents.roomsChanged].every((room) => room === 'big')).toBe(true);
    expect([aEvents.joined, bEvents.joined]).toEqual([['u1', 'u2', 'u3'], []]);
    expect(await a.roomTotal('big')).toBe(4);

    // A profile change is kept but not announced while large.
    b.room('big', who('client-u4', 'u4'), 0, { ...change('s-u4'), input: { status: 'away' } });
    await b.settled();
    expect(bEvents.updated).toEqual([]);
    expect((await a.members('big')).find((m) => m.userId === 'u4')?.status).toBe('away');

    // 3 is not below 2.7: still large. 2 is: one snapshot, decided once, and no room:left for that leave.
    b.room('big', who('client-u4', 'u4'), -1, { ...change('s-u4'), reason: 'leave' });
    await b.settled();
    expect(bEvents.synced).toEqual([]);
    a.room('big', who('client-u3', 'u3'), -1, { ...change('s-u3'), reason: 'leave' });
    await a.settled();
    expect([aEvents.synced, bEvents.synced]).toEqual([['big: u1 u2'], []]);
    expect([...aEvents.left, ...bEvents.left]).toEqual([]);
    expect(await b.roomTotal('big')).toBe(2);

    // Small again: member events as before.
    a.room('big', who('client-u2', 'u2'), -1, { ...change('s-u2'), reason: 'leave' });
    await a.settled();
    expect(aEvents.left).toEqual([['u2', 'leave']]);
  });

  it('settles a large room after a process withdraws its share: counts, or one snapshot instead of its leaves', async () => {
    const keyPrefix = `largew${prefix}:`;
    const [{ store: a, events: aEvents }, { store: victim, events: victimEvents }] = await Promise.all([
      start({ keyPrefix, rosterMax: 3 }),
      start({ keyPrefix, rosterMax: 3 }),
    ]);
    const change = (origin: string) => ({ origin, now: Date.now() });
    a.room('w', who('client-w1', 'w1'), 1, change('s-w1'));
    a.room('w', who('client-w2', 'w2'), 1, change('s-w2'));
    for (const id of ['v1', 'v2']) victim.room('w', who(`client-${id}`, id), 1, change(`s-${id}`));
    await Promise.all([a.settled(), victim.settled()]);
    expect(await a.roomTotal('w')).toBe(4);
    // The victim stops: its two members go at once, 4 → 2, below 2.7. The
    // stopping process sends the snapshot (read before it disconnects), and
    // nobody announces their leaves.
    stores.splice(stores.indexOf(victim), 1);
    await victim.stop();
    expect(await a.roomTotal('w')).toBe(2);
    expect(victimEvents.synced).toEqual(['w: w1 w2']);
    expect([...aEvents.left, ...victimEvents.left, ...aEvents.synced]).toEqual([]);
  });

  it('keeps every key under the prefix and the data format, so that two formats never share one', async () => {
    const keyPrefix = `fmt${prefix}:`;
    const { store: a } = await start({ keyPrefix });
    a.page('/f', who('client-f1'), 1, false);
    a.room('fr', who('client-f1', 'f1'), 1, { origin: 's-f1', now: Date.now() });
    await a.settled();
    const raw = new Redis(redis.url);
    try {
      const keys = await raw.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !key.startsWith(`${keyPrefix}f${DATA_FORMAT}:`))).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });

  it('answers a roster without the whole room: the earliest members, the total, and each asker wherever it is', async () => {
    const [{ store: a }, { store: b }] = await Promise.all([start(), start()]);
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) (i % 2 ? b : a).room('r', who(`client-m${i}`, `m${i}`), 1, { origin: `s${i}`, now: t0 + i });
    // A second connection of m4 through the other process.
    a.room('r', who('client-m4', 'm4'), 1, { origin: 's4b', now: t0 + 10 });
    await Promise.all([a.settled(), b.settled()]);
    // Asked for: one beyond the first three, one among them, one not in the room.
    const roster = await b.roster('r', 3, ['a:client-m4', 'a:client-m1', 'a:nobody']);
    expect(roster.total).toBe(6);
    expect(roster.members.map((m) => m.userId)).toEqual(['m0', 'm1', 'm2']);
    expect(roster.selves).toEqual([expect.objectContaining({ userId: 'm4', connections: 2, since: t0 + 4 }), roster.members[1], null]);
    // A member who left drops out of the order.
    a.room('r', who('client-m0', 'm0'), -1, { origin: 's0', now: Date.now(), reason: 'leave' });
    await a.settled();
    expect((await b.roster('r', 3)).members.map((m) => m.userId)).toEqual(['m1', 'm2', 'm3']);
    expect(await b.roster('none', 3, ['a:client-m0'])).toEqual({ members: [], total: 0, large: false, typing: [], selves: [null] });
  });

  it('decides a member starting and stopping to type once, whichever processes its sockets type through', async () => {
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    const uu = who('client-uu', 'uu');
    a.room('chat', uu, 1, { origin: 's1', now: Date.now() });
    b.room('chat', uu, 1, { origin: 's2', now: Date.now() });
    a.room('chat', who('client-vv', 'vv'), 1, { origin: 's3', now: Date.now() });
    await Promise.all([a.settled(), b.settled()]);
    a.typing('chat', uu, 1, 's1');
    await a.settled();
    b.typing('chat', uu, 1, 's2');
    // A repeated start of one process changes nothing.
    b.typing('chat', uu, 1, 's2');
    await b.settled();
    expect([aEvents.typing, bEvents.typing]).toEqual([['chat uu true s1'], []]);
    expect((await b.roster('chat', 10)).typing).toEqual(['uu']);
    a.typing('chat', uu, -1, 's1');
    await a.settled();
    expect((await a.roster('chat', 10)).typing).toEqual(['uu']);
    b.typing('chat', uu, -1, 's2');
    b.typing('chat', uu, -1, 's2');
    await b.settled();
    expect([aEvents.typing, bEvents.typing]).toEqual([['chat uu true s1'], ['chat uu false s2']]);
    expect((await a.roster('chat', 10)).typing).toEqual([]);
  });

  it('records a member that left, once, wherever it left, until it comes back, with its time present', async () => {
    const [{ store: a }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    const t0 = Date.now() - 10_000;
    const uu = who('client-uu', 'uu');
    a.room('hall', uu, 1, { origin: 's1', now: t0, input: { name: 'Uma' } });
    await a.settled();
    b.room('hall', uu, 1, { origin: 's2', now: t0 + 1000 });
    await b.settled();
    // a's connection disconnected at t0 + 3000; its grace ran out after b's explicit leave at t0 + 5000.
    b.room('hall', uu, -1, { origin: 's2', now: t0 + 5000, reason: 'leave' });
    await b.settled();
    expect(await a.recent('hall')).toEqual([]);
    a.hold('r', 'hall', uu, 1);
    a.room('hall', uu, -1, { origin: null, now: t0 + 8000, at: t0 + 3000, reason: 'disconnect', held: true });
    await a.settled();
    // It left when the grace ran out; it was there until b's leave.
    const leaver = { userId: 'uu', name: 'Uma', leftAt: t0 + 8000, duration: 5000 };
    expect(await a.recent('hall')).toEqual([leaver]);
    expect(await b.recent('hall')).toEqual([leaver]);

    const vv = who('client-vv', 'vv');
    b.room('hall', vv, 1, { origin: 's3', now: t0 + 8500 });
    b.room('hall', vv, -1, { origin: 's3', now: t0 + 9500, reason: 'leave' });
    await b.settled();
    expect(bEvents.durations).toEqual(['vv 1000']);
    expect((await a.recent('hall')).map((l) => l.userId)).toEqual(['vv', 'uu']);
    // Back: no longer listed.
    a.room('hall', uu, 1, { origin: 's4', now: Date.now() });
    await a.settled();
    expect((await b.recent('hall')).map((l) => l.userId)).toEqual(['vv']);
  });

  it(`keeps at most ${RECENT_MAX} leavers per room, for recentMs after they left`, async () => {
    const keyPrefix = `recent${prefix}:`;
    const { store: a } = await start({ keyPrefix, recentMs: 60_000 });
    const t0 = Date.now();
    for (let i = 0; i <= RECENT_MAX; i++) {
      a.room('busy', who(`client-${i}`, `u${i}`), 1, { origin: `s${i}`, now: t0 - 10_000 });
      a.room('busy', who(`client-${i}`, `u${i}`), -1, { origin: `s${i}`, now: t0 + i, reason: 'leave' });
    }
    // One left more than recentMs ago: not listed.
    a.room('old', who('client-old', 'old'), 1, { origin: 'so', now: t0 - 100_000 });
    a.room('old', who('client-old', 'old'), -1, { origin: 'so', now: t0 - 61_000, reason: 'leave' });
    await a.settled();
    const listed = await a.recent('busy');
    expect(listed).toHaveLength(RECENT_MAX);
    expect([listed[0].userId, listed.at(-1)?.userId]).toEqual([`u${RECENT_MAX}`, 'u1']);
    expect(await a.recent('old')).toEqual([]);
    const raw = new Redis(redis.url);
    try {
      const ttl = await raw.pttl(`${keyPrefix}f${DATA_FORMAT}:r:busy:R`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      raw.disconnect();
    }
  });

  it('withdraws a dead process\'s typing and members: one stop, one node-down leave, one recent leaver', async () => {
    const keyPrefix = `deadtyping${prefix}:`;
    const [{ store: a, events: aEvents }, { store: victim }] = await Promise.all([
      start({ keyPrefix, heartbeatMs: 100, heartbeatTtlMs: 300 }),
      start({ keyPrefix, heartbeatMs: 60_000, heartbeatTtlMs: 1500 }),
    ]);
    const since = Date.now() - 2000;
    // ww, a signed-in user, has a socket on each process and types through both: it still types once the victim is gone.
    const ww = (clientId: string): LedgerMember => ({ clientId, userKey: 'u:ww', userId: 'ww', tokenName: 'ww', activity: 'active' });
    // The victim's changes first: ww starts typing through it, and its second socket's start, through a, changes nothing.
    victim.room('team', who('client-v1', 'vic'), 1, { origin: 'v', now: since });
    victim.room('team', ww('client-w1'), 1, { origin: 'w1', now: since });
    victim.typing('team', who('client-v1', 'vic'), 1, 'v');
    victim.typing('team', ww('client-w1'), 1, 'w1');
    await victim.settled();
    a.room('team', ww('client-w2'), 1, { origin: 'w2', now: since });
    a.typing('team', ww('client-w2'), 1, 'w2');
    await a.settled();
    expect((await a.roster('team', 10)).typing.sort()).toEqual(['vic', 'ww']);
    await until(() => aEvents.left.length === 1, 'the survivor announced the leave');
    expect(aEvents.left).toEqual([['vic', 'node-down']]);
    expect(aEvents.typing).toEqual(['team vic false null']);
    expect((await a.roster('team', 10)).typing).toEqual(['ww']);
    const [leaver] = await a.recent('team');
    expect(leaver).toMatchObject({ userId: 'vic' });
    expect(leaver.duration).toBeGreaterThanOrEqual(2000);
    expect(leaver.leftAt).toBe(since + leaver.duration);
  });

  it('rebuilds a process\'s typing from its registry: what it no longer has stops once, what Redis lost comes back', async () => {
    const keyPrefix = `rebuildtyping${prefix}:`;
    const since = Date.now();
    const member = (userId: string) => ({ userId, name: userId, status: 'online', meta: {}, connections: 1, since, activity: 'active' as const });
    // What the registry holds: both members, and which of them type (changed behind Redis's back below).
    let typing = [{ room: 'desk', userKey: 'a:uu' }];
    const contributions = (): PresenceContributions => ({
      ...EMPTY,
      rooms: [
        { room: 'desk', userKey: 'a:uu', member: member('uu'), states: { active: 1, idle: 0, hidden: 0 } },
        { room: 'desk', userKey: 'a:vv', member: member('vv'), states: { active: 1, idle: 0, hidden: 0 } },
      ],
      typing,
    });
    const { store: a, events } = await start({ keyPrefix, heartbeatMs: 50, contributions });
    expect((await a.roster('desk', 10)).typing).toEqual(['uu']);
    // Redis loses this process's share (as after the others took it for dead); meanwhile uu stopped and vv started.
    typing = [{ room: 'desk', userKey: 'a:vv' }];
    const raw = new Redis(redis.url);
    try {
      await raw.srem(`${keyPrefix}f${DATA_FORMAT}:nodes`, a.nodeId);
    } finally {
      raw.disconnect();
    }
    await until(async () => a.ready && (await a.roster('desk', 10)).typing.join() === 'vv', 'the share was rebuilt with its typing');
    expect(events.typing).toEqual(['desk uu false null']);
    expect((await a.roster('desk', 10)).members.map((m) => m.userId)).toEqual(['uu', 'vv']);
  });

  it('tallies votes from every process in one place, within the limits, and tells every process', async () => {
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
    const limits = { maxOptions: 2 };
    expect(await a.pollDeclare('p1', 2)).toBe('created');
    expect(await b.pollDeclare('p1', 2)).toBe('exists');
    expect(await b.pollDeclare('p2', 2)).toBe('created');
    expect(await a.pollDeclare('p3', 2)).toBe('refused');
    expect([await a.pollDeclared('p2'), await b.pollDeclared('p3')]).toEqual([true, false]);
    const votes = [];
    for (let i = 0; i < 50; i++) votes.push(a.pollVote('p1', 'red', limits), b.pollVote('p1', i % 2 ? 'red' : 'blue', limits));
    const answers = await Promise.all(votes);
    const tallied = answers.map((answer) => ('tallies' in answer ? answer.tallies.tallies : null));
    expect(tallied.every((t) => t !== null)).toBe(true);
    expect(await b.pollTallies('p1')).toEqual({ poll: 'p1', tallies: { red: 75, blue: 25 } });
    // The last answer of each store saw every vote before it.
    expect(Math.max(...tallied.map((t) => (t?.red ?? 0) + (t?.blue ?? 0)))).toBe(100);
    expect(await a.pollVote('p1', 'green', limits)).toEqual({ refused: 'options' });
    expect(await a.pollVote('p2', 'x', limits)).toEqual({ tallies: { poll: 'p2', tallies: { x: 1 } } });
    expect(await b.pollVote('p3', 'x', limits)).toEqual({ refused: 'undeclared' });
    expect(await a.pollTallies('p3')).toEqual({ poll: 'p3', tallies: {} });
    await until(() => aEvents.polls.includes('p2') && bEvents.polls.includes('p1'), 'both processes heard of the votes');

    // Closing answers the final tallies once, releases them, and tells every process.
    expect(await b.pollClose('p2')).toEqual({ poll: 'p2', tallies: { x: 1 } });
    expect(await a.pollClose('p2')).toBeNull();
    expect(await a.pollVote('p2', 'x', limits)).toEqual({ refused: 'undeclared' });
    expect(await a.pollTallies('p2')).toEqual({ poll: 'p2', tallies: {} });
    expect(await a.pollDeclared('p2')).toBe(false);
    await until(() => aEvents.closed.includes('p2') && bEvents.closed.includes('p2'), 'both processes heard of the close');
    expect(await a.pollDeclare('p3', 2)).toBe('created');
  });

  it('shares one anonymous-id secret: the first stored is everyone\'s, stored again after Redis restarts empty, another one found there adopted', async () => {
    const keyPrefix = `secret${prefix}:`;
    const key = `${keyPrefix}f${DATA_FORMAT}:anon-secret`;
    const adopted: string[] = [];
    const make = () => {
      const store = new RedisPresenceStore({ connection: { url: redis.url }, prefix: keyPrefix, heartbeatMs: 50 });
      stores.push(store);
      return store;
    };
    const [a, b] = [make(), make()];
    // Asked before start, as a process does before it admits anyone.
    expect(await a.sharedSecret('secret-of-a-0123456789', (secret) => adopted.push(secret))).toBe('secret-of-a-0123456789');
    expect(await b.sharedSecret('secret-of-b-0123456789', () => adopted.push('b'))).toBe('secret-of-a-0123456789');
    await Promise.all([a.start(() => EMPTY, listener()), b.start(() => EMPTY, listener())]);
    const raw = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 100 });
    raw.on('error', () => undefined);
    try {
      await redis.stop();
      await redis.start();
      // Each process stores its secret again just before it rebuilds its share (one connection, in order).
      const nodes = `${keyPrefix}f${DATA_FORMAT}:nodes`;
      await until(async () => (await raw.smembers(nodes).catch(() => [])).length === 2, 'both shares rebuilt', 20_000);
      expect(await raw.get(key)).toBe('secret-of-a-0123456789');
      // Another secret got there first (a process started while Redis was empty), then a's share is found gone: a adopts it.
      await raw.set(key, 'secret-of-c-0123456789');
      await raw.srem(nodes, a.nodeId);
      await until(() => adopted.length > 0, 'a adopted the stored secret', 10_000);
      expect(adopted).toEqual(['secret-of-c-0123456789']);
      expect(await raw.get(key)).toBe('secret-of-c-0123456789');
    } finally {
      raw.disconnect();
    }
  }, 30_000);

  it('after Redis restarts empty, tells every process to read its figures again once both shares are rebuilt', async () => {
    // Each registry's page viewers: 3 through a, 2 through b; one of a's leaves while Redis is down.
    let aViewers = ['c1', 'c2', 'c3'];
    const bViewers = ['c4', 'c5'];
    const share = (viewers: () => string[]) => (): PresenceContributions => ({ ...EMPTY, pages: viewers().map((clientId): [string, string, number, number] => ['/r', clientId, 1, 1]) });
    const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([
      start({ contributions: share(() => aViewers) }),
      start({ contributions: share(() => bViewers) }),
    ]);
    for (const clientId of aViewers) a.page('/r', who(clientId), 1, false);
    for (const clientId of bViewers) b.page('/r', who(clientId), 1, false);
    await Promise.all([a.settled(), b.settled()]);
    expect((await b.pageCounts(['/r']))[0].viewers).toBe(5);

    // What each process reads whenever it is told to resync (null: the read failed, not ready yet).
    const reads: Record<'a' | 'b', (number | null)[]> = { a: [], b: [] };
    const follow = (name: 'a' | 'b', store: RedisPresenceStore) => () =>
      void store.pageCounts(['/r']).then(
        ([counts]) => reads[name].push(counts.viewers),
        () => reads[name].push(null),
      );
    aEvents.onResynced = follow('a', a);
    bEvents.onResynced = follow('b', b);

    await redis.stop();
    aViewers = ['c1', 'c2'];
    await redis.start();

    // Whatever order the links come back in, each process's last resync reads the whole figure.
    await until(() => reads.a.includes(4) && reads.b.includes(4), 'both processes read the rebuilt figure after a resync', 20_000);
    expect([...reads.a, ...reads.b].every((viewers) => viewers === null || viewers <= 4)).toBe(true);
    expect(await a.pageCounts(['/r'])).toEqual([{ page: '/r', viewers: 4, connections: 4, active: 4 }]);
  }, 30_000);

  describe('occupancy (what webhooks report)', () => {
    const at = (now: number, origin = 's') => ({ origin, now });

    it('decides each change of who is present once, in the process whose change made it, with each departure\'s duration', async () => {
      const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
      a.page('/p', who('client-p1'), 1, false);
      await a.settled();
      b.page('/p', who('client-p2'), 1, false);
      b.page('/p', who('client-p1'), 1, false);
      await b.settled();
      a.page('/p', who('client-p1'), -1, false);
      await a.settled();
      b.page('/p', who('client-p1'), -1, false);
      await b.settled();
      expect([aEvents.occupancy, bEvents.occupancy]).toEqual([['page.occupied /p'], []]);
      b.page('/p', who('client-p2'), -1, false);
      await b.settled();
      expect(bEvents.occupancy).toEqual(['page.vacated /p']);

      const t0 = Date.now();
      a.room('lobby', who('client-uu', 'uu'), 1, { ...at(t0), input: { name: 'Ulla', status: 'busy' } });
      await a.settled();
      b.room('lobby', who('client-uu', 'uu'), 1, at(t0 + 5));
      b.room('lobby', who('client-vv', 'vv'), 1, at(t0 + 10));
      await b.settled();
      a.room('lobby', who('client-uu', 'uu'), -1, { ...at(t0 + 20), reason: 'leave' });
      await a.settled();
      expect(aEvents.occupancy).toEqual(['page.occupied /p', 'room.occupied lobby', 'joined lobby uu']);
      expect(bEvents.occupancy).toEqual(['page.vacated /p', 'joined lobby vv']);
      b.room('lobby', who('client-uu', 'uu'), -1, { ...at(t0 + 1000), reason: 'disconnect', held: false });
      b.room('lobby', who('client-vv', 'vv'), -1, { ...at(t0 + 1500), reason: 'leave' });
      await b.settled();
      expect(bEvents.occupancy).toEqual(['page.vacated /p', 'joined lobby vv', 'left lobby uu disconnect', 'left lobby vv leave', 'room.vacated lobby']);
      expect(aEvents.occupancy).toHaveLength(3);
    });

    it('reports the member as it joined, and how long it stayed when its last connection anywhere left', async () => {
      const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start(), start()]);
      const joined: unknown[] = [];
      const left: unknown[] = [];
      for (const events of [aEvents, bEvents]) {
        events.memberJoined = (room, member) => void joined.push({ room, member });
        events.memberLeft = (room, departure) => void left.push({ room, departure });
      }
      const t0 = Date.now();
      b.room('desk', who('client-dd', 'dd'), 1, { ...at(t0), input: { name: 'Dee', status: 'away', meta: { seat: 4 } } });
      await b.settled();
      a.room('desk', who('client-dd', 'dd'), 1, at(t0 + 1));
      await a.settled();
      b.room('desk', who('client-dd', 'dd'), -1, { ...at(t0 + 2), reason: 'leave' });
      await b.settled();
      expect(left).toEqual([]);
      a.room('desk', who('client-dd', 'dd'), -1, { ...at(t0 + 4321), reason: 'leave' });
      await a.settled();
      expect(joined).toEqual([{ room: 'desk', member: { userId: 'dd', name: 'Dee', status: 'away', meta: { seat: 4 }, connections: 1, since: t0, activity: 'active' } }]);
      expect(left).toEqual([{ room: 'desk', departure: { userId: 'dd', reason: 'leave', duration: 4321 } }]);
    });

    it('reports every member of a large room, where no member event goes to sockets', async () => {
      const keyPrefix = `occlarge${prefix}:`;
      const [{ store: a, events: aEvents }, { store: b, events: bEvents }] = await Promise.all([start({ keyPrefix, rosterMax: 1 }), start({ keyPrefix, rosterMax: 1 })]);
      const t0 = Date.now();
      a.room('hall', who('client-h1', 'h1'), 1, at(t0));
      await a.settled();
      b.room('hall', who('client-h2', 'h2'), 1, at(t0));
      await b.settled();
      a.room('hall', who('client-h3', 'h3'), 1, at(t0));
      await a.settled();
      expect([...aEvents.joined, ...bEvents.joined]).toEqual(['h1']);
      expect(aEvents.occupancy).toEqual(['room.occupied hall', 'joined hall h1', 'joined hall h3']);
      expect(bEvents.occupancy).toEqual(['joined hall h2']);
      for (const id of ['h3', 'h1']) a.room('hall', who(`client-${id}`, id), -1, { ...at(t0 + 1), reason: 'leave' });
      await a.settled();
      b.room('hall', who('client-h2', 'h2'), -1, { ...at(t0 + 1), reason: 'leave' });
      await b.settled();
      expect(aEvents.occupancy.slice(3)).toEqual(['left hall h3 leave', 'left hall h1 leave']);
      expect(bEvents.occupancy.slice(1)).toEqual(['left hall h2 leave', 'room.vacated hall']);
    });

    it('has the process that withdraws a share report its departures once: node-down for a dead one, disconnect for its own at stop', async () => {
      const keyPrefix = `occdead${prefix}:`;
      const timing = { heartbeatMs: 100, heartbeatTtlMs: 300, keyPrefix };
      const [{ store: a, events: aEvents }, { store: b, events: bEvents }, { store: victim, events: victimEvents }] = await Promise.all([
        start(timing),
        start(timing),
        start({ keyPrefix, heartbeatMs: 60_000, heartbeatTtlMs: 300 }),
      ]);
      victim.page('/v', who('client-v1'), 1, false);
      victim.room('team', who('client-v1', 'vic'), 1, at(Date.now()));
      await victim.settled();
      a.room('team', who('client-a1', 'ann'), 1, at(Date.now()));
      await a.settled();
      expect(aEvents.occupancy).toEqual(['joined team ann']);
      await until(() => aEvents.occupancy.length + bEvents.occupancy.length === 3, 'a survivor reported the dead share');
      const reported = [...aEvents.occupancy, ...bEvents.occupancy].filter((line) => !line.endsWith('ann'));
      expect(reported.sort()).toEqual(['left team vic node-down', 'page.vacated /v'].sort());
      expect(victimEvents.occupancy).toEqual(['page.occupied /v', 'room.occupied team', 'joined team vic']);

      // a stops: its member leaves with it, reported by a, and the room is vacated.
      stores.splice(stores.indexOf(a), 1);
      await a.stop();
      expect(aEvents.occupancy.slice(-2)).toEqual(['left team ann disconnect', 'room.vacated team']);
      expect(await b.members('team')).toEqual([]);
    }, 20_000);

    it('reports at a rebuild what changed while this process was cut off, unless Redis lost its data', async () => {
      const keyPrefix = `occrebuild${prefix}:`;
      // What the registry holds, as the store reads it to rebuild.
      let pages: [string, string, number, number][] = [];
      let rooms: PresenceContributions['rooms'] = [];
      const share = (): PresenceContributions => ({ ...EMPTY, pages, rooms });
      const { store: a, events } = await start({ keyPrefix, heartbeatMs: 50, contributions: share });
      a.page('/kept', who('client-k1'), 1, false);
      a.room('den', who('client-x1', 'x1'), 1, at(1000));
      pages = [['/kept', 'client-k1', 1, 1]];
      rooms = [
        {
          room: 'den',
          userKey: 'a:client-x1',
          member: { userId: 'x1', name: 'X', status: 'online', meta: {}, connections: 1, since: 1000, activity: 'active' },
          states: { active: 1, idle: 0, hidden: 0 },
        },
      ];
      await a.settled();
      expect(events.occupancy).toEqual(['page.occupied /kept', 'room.occupied den', 'joined den x1']);

      // Meanwhile (its changes not applied), x1 left, y1 joined, a new page has a viewer; then the store finds its share gone.
      rooms = [
        {
          room: 'den',
          userKey: 'a:client-y1',
          member: { userId: 'y1', name: 'Y', status: 'online', meta: {}, connections: 1, since: 2000, activity: 'active' },
          states: { active: 1, idle: 0, hidden: 0 },
        },
      ];
      pages = [...pages, ['/new', 'client-n1', 1, 1]];
      let resyncs = 0;
      events.onResynced = () => void resyncs++;
      const raw = new Redis(redis.url);
      try {
        await raw.srem(`${keyPrefix}f${DATA_FORMAT}:nodes`, a.nodeId);
        await until(() => resyncs > 0, 'the share was rebuilt', 10_000);
        expect(events.occupancy.slice(3).sort()).toEqual(['joined den y1', 'left den x1 disconnect', 'page.occupied /new'].sort());

        // Redis restarts empty: the rebuild puts back what was there, which is no news.
        const before = events.occupancy.length;
        resyncs = 0;
        await redis.stop();
        await redis.start();
        // The subscriber's reconnection also has figures read again, maybe before the share is rebuilt:
        // rebuilt is when the store is ready and Redis has the share (read after the rebuild's own script).
        const rebuilt = [
          { page: '/kept', viewers: 1, connections: 1, active: 1 },
          { page: '/new', viewers: 1, connections: 1, active: 1 },
        ];
        const counted = () => a.pageCounts(['/kept', '/new']).catch(() => null);
        await until(async () => resyncs > 0 && a.ready && isDeepStrictEqual(await counted(), rebuilt), 'the share was rebuilt into the empty Redis', 20_000);
        expect(events.occupancy.slice(before)).toEqual([]);
        // Later changes are reported as before.
        a.room('den', who('client-y1', 'y1'), -1, { ...at(5000), reason: 'leave' });
        await a.settled();
        expect(events.occupancy.slice(before)).toEqual(['left den y1 leave', 'room.vacated den']);
      } finally {
        raw.disconnect();
      }
    }, 40_000);
  });
});

import { ErrorCodes, RECENT_MAX } from '@presently/protocol';
import { RecentLeavers } from './recent-leavers';
import { anonymous, ManualClock, registryUnderTest, signedIn, TEST_OPTIONS, type RegistryUnderTest } from '../testing';

const RECENT_MS = 60_000;
const GRACE_MS = TEST_OPTIONS.graceMs;

describe('recent leavers', () => {
  let t: RegistryUnderTest;
  let t0: number;

  beforeEach(() => {
    t = registryUnderTest({ ...TEST_OPTIONS, recentMs: RECENT_MS });
    t0 = t.clock.now();
  });

  afterEach(() => t.presence.dispose());

  /** White-box: the rooms that keep leavers. */
  const roomsKept = () => (t.presence as unknown as { recent: { size: number } }).recent.size;

  /** A signed-in user's socket in `room` (its name is its userId, as its token says). */
  const join = (id: string, userId: string, room = 'lobby') => {
    t.presence.connect(id, signedIn(`${id}-device`, userId));
    expect(t.presence.joinRoom(id, room).ok).toBe(true);
  };

  it('lists who left, most recent first, with the name, when and how long they had been there', () => {
    join('ann-1', 'ann');
    t.clock.advance(1000);
    join('bob-1', 'bob');
    t.clock.advance(2000);
    t.presence.leaveRoom('ann-1', 'lobby');
    t.clock.advance(500);
    t.presence.leaveRoom('bob-1', 'lobby');
    expect(t.presence.recentLeavers('lobby')).toEqual([
      { userId: 'bob', name: 'bob', leftAt: t0 + 3500, duration: 2500 },
      { userId: 'ann', name: 'ann', leftAt: t0 + 3000, duration: 3000 },
    ]);
    expect(t.sink.of('room:left').map((e) => [e.userId, e.duration])).toEqual([
      ['ann', 3000],
      ['bob', 2500],
    ]);
    expect(t.presence.recentLeavers('elsewhere')).toEqual([]);
  });

  it('records a held connection when its grace runs out, present until its disconnect', () => {
    t.presence.connect('s1', anonymous('visitor1'));
    t.presence.joinRoom('s1', 'lobby', { name: 'Vi' });
    t.clock.advance(4000);
    t.presence.disconnect('s1');
    t.clock.advance(GRACE_MS - 1);
    expect(t.presence.recentLeavers('lobby')).toEqual([]);
    t.clock.advance(1);
    expect(t.presence.recentLeavers('lobby')).toEqual([{ userId: 'visitor1', name: 'Vi', leftAt: t0 + 4000 + GRACE_MS, duration: 4000 }]);
    expect(t.sink.of('room:left')).toEqual([
      { type: 'room:left', room: 'lobby', userId: 'visitor1', reason: 'disconnect', duration: 4000, except: null },
    ]);
  });

  it('counts a member present from its first join until the last of its connections was gone', () => {
    join('ann-1', 'ann');
    t.clock.advance(1000);
    join('ann-2', 'ann');
    t.clock.advance(1000);
    // One tab closes (held), the other leaves later: the member was there until that leave.
    t.presence.disconnect('ann-1');
    t.clock.advance(2000);
    t.presence.leaveRoom('ann-2', 'lobby');
    expect(t.sink.of('room:left')).toEqual([]);
    t.clock.advance(GRACE_MS);
    expect(t.presence.recentLeavers('lobby')).toEqual([{ userId: 'ann', name: 'ann', leftAt: t0 + 2000 + GRACE_MS, duration: 4000 }]);
    expect(t.sink.of('room:left').map((e) => e.duration)).toEqual([4000]);
  });

  it('forgets a leaver who joins again; a reload within the grace period is no leave at all', () => {
    join('ann-1', 'ann');
    join('bob-1', 'bob');
    t.presence.leaveRoom('ann-1', 'lobby');
    t.presence.leaveRoom('bob-1', 'lobby');
    expect(t.presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['bob', 'ann']);
    expect(t.presence.joinRoom('ann-1', 'lobby').ok).toBe(true);
    expect(t.presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['bob']);

    t.presence.connect('r1', anonymous('reloader'));
    t.presence.joinRoom('r1', 'lobby');
    t.presence.disconnect('r1');
    t.presence.connect('r2', anonymous('reloader'));
    t.presence.joinRoom('r2', 'lobby');
    t.clock.advance(GRACE_MS * 2);
    expect(t.presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['bob']);
  });

  it('lists only the last RECENT_MS, and a room whose leavers all aged out keeps nothing, with no timer left', () => {
    join('ann-1', 'ann');
    join('bob-1', 'bob', 'other');
    t.presence.leaveRoom('ann-1', 'lobby');
    t.clock.advance(10_000);
    t.presence.leaveRoom('bob-1', 'other');
    expect(roomsKept()).toBe(2);
    t.clock.advance(RECENT_MS - 10_000 - 1);
    expect(t.presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['ann']);
    t.clock.advance(1);
    // Gone from the list at once; the room itself is forgotten by the sweep.
    expect(roomsKept()).toBe(1);
    expect(t.presence.recentLeavers('lobby')).toEqual([]);
    t.clock.advance(10_000);
    expect(roomsKept()).toBe(0);
    for (const id of ['ann-1', 'bob-1']) t.presence.disconnect(id);
    t.settle();
    expect(t.clock.pendingTimers).toBe(0);
  });

  it(`keeps at most ${RECENT_MAX} leavers per room, the most recent`, () => {
    for (let i = 0; i <= RECENT_MAX; i++) {
      join(`s${i}`, `user${i}`);
      t.clock.advance(1);
      t.presence.leaveRoom(`s${i}`, 'lobby');
    }
    const listed = t.presence.recentLeavers('lobby');
    expect(listed).toHaveLength(RECENT_MAX);
    expect(listed[0].userId).toBe(`user${RECENT_MAX}`);
    expect(listed.at(-1)?.userId).toBe('user1');
  });

  it('is recorded for every kind of leave: moderation and an expired token too', () => {
    join('mal-1', 'mallory');
    t.presence.connect('al-1', signedIn('alice-laptop', 'alice'));
    t.presence.joinRoom('al-1', 'private:ops');
    t.clock.advance(100);
    t.presence.removeFromRoom('mallory', 'lobby');
    t.presence.revokeCredentials('al-1');
    expect(t.presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['mallory']);
    expect(t.presence.recentLeavers('private:ops')).toEqual([{ userId: 'alice', name: 'alice', leftAt: t0 + 100, duration: 100 }]);
  });

  it('keeps nothing with RECENT_MS 0', () => {
    const none = registryUnderTest({ ...TEST_OPTIONS, recentMs: 0 });
    none.presence.connect('s1', anonymous('visitor1'));
    none.presence.joinRoom('s1', 'lobby');
    none.presence.leaveRoom('s1', 'lobby');
    expect(none.presence.recentLeavers('lobby')).toEqual([]);
    expect(none.clock.pendingTimers).toBe(0);
    none.presence.dispose();
  });

  it('follows the room access rules: private and role rooms only for who may join them', () => {
    t.presence.connect('anon', anonymous('visitor1'));
    t.presence.connect('ops', signedIn('ops-laptop', 'olga', ['ops']));
    const forbidden = { ok: false, error: { code: ErrorCodes.Forbidden, message: expect.any(String) } };
    expect(t.presence.mayRead('anon', 'lobby')).toEqual({ ok: true, room: 'lobby' });
    expect(t.presence.mayRead('anon', 'private:team')).toEqual(forbidden);
    expect(t.presence.mayRead('anon', 'role:ops')).toEqual(forbidden);
    expect(t.presence.mayRead('ops', 'private:team')).toEqual({ ok: true, room: 'private:team' });
    expect(t.presence.mayRead('ops', 'role:ops:night')).toEqual({ ok: true, room: 'role:ops:night' });
    expect(t.presence.mayRead('ops', 'role:admin')).toEqual(forbidden);
    expect(t.presence.mayRead('ghost', 'lobby').ok).toBe(false);
  });

  it('keeps leavers for a bounded number of rooms: the one whose last leave is the oldest forgets first', () => {
    const clock = new ManualClock();
    const recent = new RecentLeavers(clock, RECENT_MS, { perRoom: 2, rooms: 2 });
    const leaver = (userId: string) => ({ userId, name: userId, leftAt: clock.now(), duration: 0 });
    recent.record('a', 'u:1', leaver('1'));
    clock.advance(1);
    recent.record('b', 'u:2', leaver('2'));
    clock.advance(1);
    recent.record('a', 'u:3', leaver('3'));
    recent.record('a', 'u:4', leaver('4'));
    expect(recent.list('a').map((l) => l.userId)).toEqual(['4', '3']);
    recent.record('c', 'u:5', leaver('5'));
    expect(recent.size).toBe(2);
    expect(recent.list('b')).toEqual([]);
    expect(recent.list('a').map((l) => l.userId)).toEqual(['4', '3']);
    recent.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});

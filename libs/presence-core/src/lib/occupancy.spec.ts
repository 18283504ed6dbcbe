import type { Presence } from '../index';
import { anonymous, ManualClock, RecordingOccupancy, registryUnderTest, signedIn, TEST_OPTIONS } from '../testing';

/**
 * What the registry reports of who is present (the webhooks' source): a
 * page's first viewer and its last, a room's first member and its last, each
 * member's arrival and departure with how long it stayed, in order, large
 * rooms included; a reload within the grace period reports nothing.
 */
describe('occupancy', () => {
  let clock: ManualClock;
  let occupancy: RecordingOccupancy;
  let presence: Presence;

  beforeEach(() => ({ clock, occupancy, presence } = registryUnderTest()));
  afterEach(() => presence.dispose());

  describe('pages', () => {
    it('reports the first viewer and the last, not the ones between, nor further tabs', () => {
      presence.connect('a1', anonymous('client-a'));
      presence.connect('a2', anonymous('client-a'));
      presence.connect('b1', anonymous('client-b'));
      presence.enterPage('a1', '/p');
      expect(occupancy.take()).toEqual([{ type: 'pageOccupied', page: '/p' }]);
      presence.enterPage('a2', '/p');
      presence.enterPage('b1', '/p');
      presence.leavePage('a1', '/p');
      presence.leavePage('b1', '/p');
      expect(occupancy.take()).toEqual([]);
      presence.leavePage('a2', '/p');
      expect(occupancy.take()).toEqual([{ type: 'pageVacated', page: '/p' }]);
      presence.enterPage('b1', '/p');
      expect(occupancy.take()).toEqual([{ type: 'pageOccupied', page: '/p' }]);
    });

    it('never reports a crawler, which counts nowhere', () => {
      presence.connect('bot', anonymous('crawler-1'), { counted: false });
      presence.enterPage('bot', '/p');
      presence.disconnect('bot');
      expect(occupancy.take()).toEqual([]);
    });

    it('reports nothing for a reload within the grace period, and the vacated page once the grace ran out', () => {
      presence.connect('s1', anonymous('client-a'));
      presence.enterPage('s1', '/p');
      occupancy.take();
      presence.disconnect('s1');
      clock.advance(TEST_OPTIONS.graceMs - 1);
      presence.connect('s2', anonymous('client-a'));
      presence.enterPage('s2', '/p');
      clock.advance(TEST_OPTIONS.graceMs);
      expect(occupancy.take()).toEqual([]);

      presence.disconnect('s2');
      clock.advance(TEST_OPTIONS.graceMs - 1);
      expect(occupancy.take()).toEqual([]);
      clock.advance(1);
      expect(occupancy.take()).toEqual([{ type: 'pageVacated', page: '/p' }]);
    });
  });

  describe('rooms', () => {
    it('reports the room occupied before its first member joined, and its last member left before it is vacated', () => {
      presence.connect('a', signedIn('client-a', 'ada'));
      presence.connect('b', signedIn('client-b', 'bob'));
      const since = clock.now();
      presence.joinRoom('a', 'lobby', { status: 'busy' });
      expect(occupancy.take()).toEqual([
        { type: 'roomOccupied', room: 'lobby' },
        { type: 'memberJoined', room: 'lobby', member: { userId: 'ada', name: 'ada', status: 'busy', meta: {}, connections: 1, since, activity: 'active' } },
      ]);
      clock.advance(700);
      presence.joinRoom('b', 'lobby');
      expect(occupancy.take()).toEqual([
        { type: 'memberJoined', room: 'lobby', member: { userId: 'bob', name: 'bob', status: 'online', meta: {}, connections: 1, since: since + 700, activity: 'active' } },
      ]);
      clock.advance(300);
      presence.leaveRoom('a', 'lobby');
      expect(occupancy.take()).toEqual([{ type: 'memberLeft', room: 'lobby', userId: 'ada', reason: 'leave', duration: 1000 }]);
      clock.advance(50);
      presence.leaveRoom('b', 'lobby');
      expect(occupancy.take()).toEqual([
        { type: 'memberLeft', room: 'lobby', userId: 'bob', reason: 'leave', duration: 350 },
        { type: 'roomVacated', room: 'lobby' },
      ]);
    });

    it("counts users, not connections: a user's further tabs and devices report nothing, its last one leaving does", () => {
      presence.connect('t1', signedIn('laptop-1', 'ada'));
      presence.connect('t2', signedIn('laptop-1', 'ada'));
      presence.connect('p1', signedIn('phone-01', 'ada'));
      presence.joinRoom('t1', 'lobby');
      occupancy.take();
      presence.joinRoom('t2', 'lobby');
      presence.joinRoom('p1', 'lobby', { status: 'away' });
      presence.leaveRoom('t1', 'lobby');
      presence.disconnect('t2');
      clock.advance(TEST_OPTIONS.graceMs);
      expect(occupancy.take()).toEqual([]);
      presence.leaveRoom('p1', 'lobby');
      expect(occupancy.take().map((e) => e.type)).toEqual(['memberLeft', 'roomVacated']);
    });

    it('reports a disconnected member once its grace ran out, present until its disconnect; a reload within it reports nothing and keeps since', () => {
      presence.connect('s1', anonymous('client-a'));
      presence.joinRoom('s1', 'lobby');
      occupancy.take();
      clock.advance(2000);
      presence.disconnect('s1');
      clock.advance(TEST_OPTIONS.graceMs - 1);
      presence.connect('s2', anonymous('client-a'));
      presence.joinRoom('s2', 'lobby');
      expect(occupancy.take()).toEqual([]);

      clock.advance(1000);
      presence.disconnect('s2');
      clock.advance(TEST_OPTIONS.graceMs);
      expect(occupancy.take()).toEqual([
        // As room:left tells it: to its last disconnect, not to the end of its grace.
        { type: 'memberLeft', room: 'lobby', userId: 'client-a', reason: 'disconnect', duration: 2000 + TEST_OPTIONS.graceMs - 1 + 1000 },
        { type: 'roomVacated', room: 'lobby' },
      ]);
    });

    it('reports every member of a large room, which announces counts to its sockets instead', () => {
      const { presence: large, occupancy: reported, sink, clock: time } = registryUnderTest({ ...TEST_OPTIONS, rosterMax: 2 });
      try {
        for (const user of ['u1', 'u2', 'u3', 'u4']) {
          large.connect(user, signedIn(`client-${user}`, user));
          large.joinRoom(user, 'hall');
        }
        time.advance(TEST_OPTIONS.countIntervalMs);
        expect(sink.of('room:joined').map((e) => e.member.userId)).toEqual(['u1', 'u2']);
        expect(sink.of('room:count').length).toBeGreaterThan(0);
        const joined = reported.take().filter((e) => e.type === 'memberJoined');
        expect(joined.map((e) => e.type === 'memberJoined' && e.member.userId)).toEqual(['u1', 'u2', 'u3', 'u4']);
        for (const user of ['u4', 'u3', 'u2', 'u1']) large.leaveRoom(user, 'hall');
        expect(reported.take().map((e) => (e.type === 'memberLeft' ? e.userId : e.type))).toEqual(['u4', 'u3', 'u2', 'u1', 'roomVacated']);
      } finally {
        large.dispose();
      }
    });

    it('reports a member taken out by moderation as a leave, and a held place ended early as a disconnect', () => {
      presence.connect('m', signedIn('laptop-m', 'mallory'));
      presence.connect('o', signedIn('laptop-o', 'olga'));
      presence.joinRoom('m', 'lobby');
      presence.joinRoom('o', 'lobby');
      occupancy.take();
      presence.removeFromRoom('mallory', 'lobby');
      expect(occupancy.take()).toEqual([{ type: 'memberLeft', room: 'lobby', userId: 'mallory', reason: 'leave', duration: 0 }]);

      presence.connect('x', signedIn('laptop-x', 'xavier'));
      presence.joinRoom('x', 'lobby');
      presence.disconnect('x');
      occupancy.take();
      expect(presence.endOldestHeld('')).toBe(true);
      expect(occupancy.take()).toEqual([{ type: 'memberLeft', room: 'lobby', userId: 'xavier', reason: 'disconnect', duration: 0 }]);
    });
  });

  it('reports, when the registry ends, that everyone it held left and every page and room is vacated, once', () => {
    presence.connect('a', signedIn('client-a', 'ada'));
    presence.connect('b', anonymous('client-b'));
    presence.enterPage('a', '/p');
    presence.enterPage('b', '/q');
    presence.joinRoom('a', 'lobby');
    presence.joinRoom('b', 'lobby');
    presence.disconnect('b');
    occupancy.take();
    clock.advance(1000);
    presence.dispose();
    presence.dispose();
    const ended = occupancy.take();
    expect(ended.filter((e) => e.type === 'pageVacated').map((e) => e.type === 'pageVacated' && e.page).sort()).toEqual(['/p', '/q']);
    expect(ended.filter((e) => e.type !== 'pageVacated')).toEqual([
      { type: 'memberLeft', room: 'lobby', userId: 'ada', reason: 'disconnect', duration: 1000 },
      { type: 'memberLeft', room: 'lobby', userId: 'client-b', reason: 'disconnect', duration: 1000 },
      { type: 'roomVacated', room: 'lobby' },
    ]);
  });
});

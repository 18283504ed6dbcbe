import { Presence } from '../index';
import { registryUnderTest, TEST_OPTIONS, signedIn, ManualClock, RecordingSink, ledgerHearing } from '../testing';


describe('Presence moderation', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let presence: Presence;
  let settle: () => void;

  beforeEach(() => ({ clock, sink, presence, settle } = registryUnderTest()));
  afterEach(() => presence.dispose());

  /** Mallory on a laptop (two tabs, one of them gone and held) and a phone; Bob stays. */
  const crowd = () => {
    presence.connect('m1', signedIn('laptop01', 'mallory'));
    presence.connect('m2', signedIn('laptop01', 'mallory'));
    presence.connect('m3', signedIn('phone001', 'mallory'));
    presence.connect('b1', signedIn('bobs-pc1', 'bob'));
    for (const id of ['m1', 'm2', 'm3', 'b1']) {
      presence.enterPage(id, '/p');
      presence.joinRoom(id, 'lobby');
    }
    presence.joinRoom('m1', 'side');
    presence.joinRoom('b1', 'side');
    presence.disconnect('m2');
    settle();
    expect(presence.sizes().held).toBe(1);
  };

  describe('expelUser', () => {
    it('ends every connection of the user at once, held ones included: one room:left per room with reason leave, nothing held', () => {
      crowd();
      expect(presence.expelUser('mallory').sort()).toEqual(['m1', 'm3']);
      const left = sink.of('room:left').map(({ room, userId, reason }) => ({ room, userId, reason }));
      expect(left.sort((a, b) => a.room.localeCompare(b.room))).toEqual([
        { room: 'lobby', userId: 'mallory', reason: 'leave' },
        { room: 'side', userId: 'mallory', reason: 'leave' },
      ]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['bob']);
      expect(presence.members('side').map((m) => m.userId)).toEqual(['bob']);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.sizes()).toMatchObject({ connections: 1, visitors: 1, held: 0 });
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });

      // Nothing is left to expire later, and the expelled connections can no longer act.
      sink.take();
      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.of('room:left')).toEqual([]);
      expect(presence.enterPage('m1', '/q').ok).toBe(false);
      // A later disconnect of an expelled socket (the transport closing it) changes nothing.
      presence.disconnect('m1');
      expect(presence.sizes()).toMatchObject({ connections: 1, held: 0 });
    });

    it('tells no expelled connection about its own leave', () => {
      crowd();
      presence.expelUser('mallory');
      for (const left of sink.of('room:left')) expect(['m1', 'm3', null]).toContain(left.except);
    });

    it('answers nothing and changes nothing for a user that is not here', () => {
      crowd();
      expect(presence.expelUser('nobody')).toEqual([]);
      expect(sink.take()).toEqual([]);
      expect(presence.sizes()).toMatchObject({ connections: 4, held: 1 });
    });
  });

  describe('removeFromRoom', () => {
    it('takes the user out of that room only: one room:left with reason leave, its connections stay elsewhere', () => {
      crowd();
      expect(presence.removeFromRoom('mallory', 'lobby').sort()).toEqual(['m1', 'm3']);
      expect(sink.of('room:left').map(({ room, userId, reason }) => ({ room, userId, reason }))).toEqual([
        { room: 'lobby', userId: 'mallory', reason: 'leave' },
      ]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['bob']);
      expect(presence.members('side').map((m) => m.userId).sort()).toEqual(['bob', 'mallory']);
      // Still on the page and connected: two live, and the held tab until its grace ends.
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 3, connections: 4, active: 3 });
      expect(presence.sizes()).toMatchObject({ connections: 4, held: 1 });
      // The live connections may join again.
      expect(presence.joinRoom('m3', 'lobby').ok).toBe(true);
    });

    it('is idempotent: a user not in the room changes nothing', () => {
      crowd();
      expect(presence.removeFromRoom('mallory', 'nowhere')).toEqual([]);
      expect(presence.removeFromRoom('bob', 'elsewhere')).toEqual([]);
      expect(sink.take()).toEqual([]);
    });

    it('ends a held connection that was only in that room at once', () => {
      presence.connect('m1', signedIn('laptop01', 'mallory'));
      presence.joinRoom('m1', 'lobby');
      presence.disconnect('m1');
      expect(presence.sizes().held).toBe(1);
      expect(presence.removeFromRoom('mallory', 'lobby')).toEqual([]);
      expect(presence.sizes()).toMatchObject({ connections: 0, held: 0 });
      expect(sink.of('room:left')).toEqual([{ type: 'room:left', room: 'lobby', userId: 'mallory', reason: 'leave', duration: 0, except: null }]);
    });
  });

  it('reports the leaves to a cluster ledger with reason leave, so that every process hears them', () => {
    const rooms: { delta: number; reason?: string }[] = [];
    const ledger = ledgerHearing({ room: (_room, _who, delta, change) => rooms.push({ delta, reason: change.reason }) });
    const clustered = new Presence(clock, null, TEST_OPTIONS, ledger);
    clustered.connect('m1', signedIn('laptop01', 'mallory'));
    clustered.joinRoom('m1', 'lobby');
    rooms.length = 0;
    clustered.expelUser('mallory');
    expect(rooms).toEqual([{ delta: -1, reason: 'leave' }]);
    clustered.dispose();
  });
});

import type { ActivityState, Member } from '@presently/protocol';
import { Presence } from '../index';
import { anonymous, ledgerHearing, registryUnderTest, signedIn, TEST_OPTIONS, type RegistryUnderTest } from '../testing';

describe('activity: active, idle, hidden', () => {
  let t: RegistryUnderTest;
  let presence: Presence;

  beforeEach(() => {
    t = registryUnderTest();
    presence = t.presence;
  });

  afterEach(() => presence.dispose());

  const member = (room: string, userId: string): Member | undefined => presence.members(room).find((m) => m.userId === userId);

  describe('a connection', () => {
    it('is active until its client reports otherwise, and answers its state and the previous one', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby');
      expect(member('lobby', 'clientA')?.activity).toBe('active');
      expect(presence.setActivity('s1', 'idle')).toEqual({ ok: true, state: 'idle', previous: 'active' });
      expect(presence.setActivity('s1', 'idle')).toEqual({ ok: true, state: 'idle', previous: 'idle' });
      expect(presence.setActivity('s1', 'hidden')).toEqual({ ok: true, state: 'hidden', previous: 'idle' });
    });

    it('answers BAD_REQUEST for an unknown or held connection, and changes nothing', () => {
      expect(presence.setActivity('ghost', 'idle')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.disconnect('s1');
      expect(presence.setActivity('s1', 'hidden')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    });
  });

  describe('pages', () => {
    it('count the distinct clients with at least one active connection as active', () => {
      presence.connect('a1', anonymous('clientA'));
      presence.connect('a2', anonymous('clientA'));
      presence.connect('b1', anonymous('clientB'));
      for (const id of ['a1', 'a2', 'b1']) presence.enterPage(id, '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 2 });
      presence.setActivity('a1', 'hidden');
      // clientA still has an active tab there.
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 2 });
      presence.setActivity('a2', 'idle');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 1 });
      presence.setActivity('b1', 'hidden');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 0 });
      presence.setActivity('a2', 'active');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 1 });
    });

    it('ack an entering connection in any state with the counts, itself counted as it is', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.setActivity('s1', 'idle');
      expect(presence.enterPage('s1', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 0, subscribe: true });
      presence.connect('s2', anonymous('clientB'));
      expect(presence.watchPages('s2', ['/p'])).toEqual({ ok: true, counts: [{ page: '/p', viewers: 1, connections: 1, active: 0 }], subscribe: ['/p'] });
    });

    it('announce a change of active alone as a change of counts, coalesced like any other', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      t.settle();
      presence.setActivity('s1', 'idle');
      expect(t.sink.events).toEqual([]);
      t.clock.flush();
      expect(t.sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 0 } }]);
      // Within the interval: merged, and the last value goes out when it ends.
      presence.setActivity('s1', 'active');
      presence.setActivity('s1', 'hidden');
      t.clock.advance(TEST_OPTIONS.countIntervalMs - 1);
      expect(t.sink.take()).toEqual([]);
      t.clock.advance(1);
      // Back to the value last sent: nothing to send.
      expect(t.sink.take()).toEqual([]);
      presence.setActivity('s1', 'active');
      t.clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(t.sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('move nothing for idle and hidden alike, nor for a crawler', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.setActivity('s1', 'idle');
      t.settle();
      presence.setActivity('s1', 'hidden');
      presence.connect('bot', anonymous('crawler1'), { counted: false });
      presence.enterPage('bot', '/p');
      presence.setActivity('bot', 'idle');
      presence.setActivity('bot', 'active');
      t.clock.advance(TEST_OPTIONS.countIntervalMs * 4);
      expect(t.sink.take()).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 0 });
    });

    it('keep a held connection in its last state, and follow the state of one that takes its place', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.setActivity('s1', 'hidden');
      presence.disconnect('s1');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 0 });
      t.settle();
      // The reload comes back active: viewers and connections neither dip nor rise, active does.
      presence.connect('s2', anonymous('clientA'));
      expect(presence.enterPage('s2', '/p')).toMatchObject({ viewers: 1, connections: 1, active: 1 });
      t.clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(t.sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('count a held active connection until its grace runs out', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.disconnect('s1');
      expect(presence.pageCounts('/p').active).toBe(1);
      t.clock.advance(TEST_OPTIONS.graceMs);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 0, connections: 0, active: 0 });
    });
  });

  describe('rooms', () => {
    const joinAs = (id: string, identity = signedIn(`${id}-client`, 'ann'), state?: ActivityState) => {
      presence.connect(id, identity);
      if (state) presence.setActivity(id, state);
      presence.joinRoom(id, 'lobby');
    };

    it("give a member its most active connection's state: active, then idle, then hidden", () => {
      joinAs('t1', signedIn('laptop1', 'ann'), 'hidden');
      expect(member('lobby', 'ann')?.activity).toBe('hidden');
      joinAs('t2', signedIn('laptop1', 'ann'), 'idle');
      expect(member('lobby', 'ann')?.activity).toBe('idle');
      joinAs('t3', signedIn('phone01', 'ann'));
      expect(member('lobby', 'ann')?.activity).toBe('active');
      presence.setActivity('t3', 'hidden');
      expect(member('lobby', 'ann')?.activity).toBe('idle');
      presence.leaveRoom('t2', 'lobby');
      expect(member('lobby', 'ann')).toMatchObject({ activity: 'hidden', connections: 2 });
    });

    it("announce a change of a member's activity as room:updated, never to the connection that caused it", () => {
      joinAs('obs', signedIn('obs-client', 'bob'));
      joinAs('t1', signedIn('laptop1', 'ann'));
      t.settle();
      presence.setActivity('t1', 'idle');
      expect(t.sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: member('lobby', 'ann'), except: 't1' }]);
      expect(member('lobby', 'ann')?.activity).toBe('idle');
      // A second tab that is active makes the member active: announced, except to that tab.
      joinAs('t2', signedIn('phone01', 'ann'));
      expect(t.sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: { ...member('lobby', 'ann'), activity: 'active' }, except: 't2' }]);
      // The first tab going hidden changes nothing: the member is still active.
      presence.setActivity('t1', 'hidden');
      expect(t.sink.take()).toEqual([]);
      // The active tab leaving makes it hidden: announced.
      presence.leaveRoom('t2', 'lobby');
      expect(t.sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: member('lobby', 'ann'), except: 't2' }]);
      expect(member('lobby', 'ann')?.activity).toBe('hidden');
    });

    it('announce a profile change and an activity change made by one join as one room:updated', () => {
      joinAs('obs', signedIn('obs-client', 'bob'));
      joinAs('t1', signedIn('laptop1', 'ann'), 'idle');
      t.settle();
      presence.connect('t2', signedIn('phone01', 'ann'));
      presence.joinRoom('t2', 'lobby', { status: 'busy' });
      expect(t.sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: member('lobby', 'ann'), except: 't2' }]);
      expect(member('lobby', 'ann')).toMatchObject({ status: 'busy', activity: 'active', connections: 2 });
    });

    it('keep a held connection in its last state; a grace expiry that changes the activity is announced to everyone', () => {
      joinAs('obs', signedIn('obs-client', 'bob'));
      joinAs('t1', signedIn('laptop1', 'ann'));
      joinAs('t2', signedIn('phone01', 'ann'), 'hidden');
      presence.disconnect('t1');
      t.settle();
      expect(member('lobby', 'ann')).toMatchObject({ activity: 'active', connections: 2 });
      t.clock.advance(TEST_OPTIONS.graceMs);
      expect(t.sink.of('room:updated')).toEqual([{ type: 'room:updated', room: 'lobby', member: member('lobby', 'ann'), except: null }]);
      expect(member('lobby', 'ann')).toMatchObject({ activity: 'hidden', connections: 1 });
    });

    it('follow the state of a connection that takes a held place', () => {
      joinAs('obs', signedIn('obs-client', 'bob'));
      joinAs('t1', signedIn('laptop1', 'ann'), 'idle');
      presence.disconnect('t1');
      t.settle();
      joinAs('t1b', signedIn('laptop1', 'ann'));
      expect(t.sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: member('lobby', 'ann'), except: 't1b' }]);
      expect(member('lobby', 'ann')).toMatchObject({ activity: 'active', connections: 1 });
      // Taking the place in the same state announces nothing.
      presence.disconnect('t1b');
      joinAs('t1c', signedIn('laptop1', 'ann'));
      expect(t.sink.take()).toEqual([]);
    });

    it("keep a large room's activity changes unannounced", () => {
      const small = registryUnderTest({ ...TEST_OPTIONS, rosterMax: 2 });
      for (const user of ['u1', 'u2', 'u3']) {
        small.presence.connect(user, signedIn(`${user}-client`, user));
        small.presence.joinRoom(user, 'lobby');
      }
      small.settle();
      small.presence.setActivity('u1', 'idle');
      small.clock.advance(TEST_OPTIONS.countIntervalMs * 4);
      expect(small.sink.take()).toEqual([]);
      expect(small.presence.members('lobby')[0]).toMatchObject({ userId: 'u1', activity: 'idle' });
      small.presence.dispose();
    });
  });

  describe('a hidden connection', () => {
    it('is owed nothing: a value it was acked while hidden is never repeated for it', () => {
      presence.connect('w', anonymous('watcher'));
      presence.watchPages('w', ['/p']);
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      t.settle();
      presence.connect('h', anonymous('hiddenC'));
      presence.setActivity('h', 'hidden');
      presence.leavePage('s1', '/p');
      // Acked 0 viewers while the value last sent is 1.
      expect(presence.watchPages('h', ['/p'])).toMatchObject({ counts: [{ viewers: 0 }] });
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s2', '/p');
      t.clock.advance(TEST_OPTIONS.countIntervalMs * 4);
      // Back to the value last sent: nobody listening needs it.
      expect(t.sink.of('page:count')).toEqual([]);
    });

    it('holds what it was last sent or acked, and a catch-up notes the current figures as what it holds', () => {
      presence.connect('h', anonymous('hiddenC'));
      presence.watchPages('h', ['/p']);
      presence.watchStats('h');
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      t.clock.advance(TEST_OPTIONS.statsIntervalMs);
      const followed = presence.followed('h')!;
      expect(followed).toEqual({ pages: ['/p'], rooms: [], stats: true });
      const held = presence.lastSent('h', followed);
      expect(held).toEqual({ pages: [{ page: '/p', viewers: 1, connections: 1, active: 1 }], totals: [], stats: presence.stats() });
      presence.setActivity('h', 'hidden');
      presence.leavePage('s1', '/p');
      t.settle();
      presence.setActivity('h', 'active');
      expect(presence.caughtUp('h', followed)).toEqual({ pages: [{ page: '/p', viewers: 0, connections: 0, active: 0 }], totals: [], stats: presence.stats() });
    });
  });

  describe('a cluster ledger', () => {
    it('hears one activity change per report, with the pages whose active count moved and every room', () => {
      const calls: unknown[] = [];
      const ledger = ledgerHearing({
        page: (page, who, delta) => calls.push(['page', page, who.activity, delta]),
        hold: (kind, key, who, delta) => calls.push(['hold', kind, key, who.activity, delta]),
        activity: (who, from, pages, rooms) => calls.push(['activity', from, who.activity, pages, rooms]),
      });
      const clustered = new Presence(t.clock, null, TEST_OPTIONS, ledger);
      clustered.connect('s1', signedIn('laptop1', 'ann'));
      clustered.enterPage('s1', '/p');
      clustered.joinRoom('s1', 'lobby');
      calls.length = 0;
      clustered.setActivity('s1', 'idle');
      clustered.setActivity('s1', 'hidden');
      clustered.disconnect('s1');
      clustered.connect('s2', signedIn('laptop1', 'ann'));
      clustered.enterPage('s2', '/p');
      expect(calls).toEqual([
        ['activity', 'active', 'idle', ['/p'], ['lobby']],
        // idle → hidden moves no page count, only the member's.
        ['activity', 'idle', 'hidden', [], ['lobby']],
        ['hold', 'p', '/p', 'hidden', 1],
        ['hold', 'r', 'lobby', 'hidden', 1],
        ['hold', 'p', '/p', 'hidden', -1],
        // The returning tab is active where the held one was hidden.
        ['activity', 'hidden', 'active', ['/p'], []],
      ]);
      clustered.dispose();
    });
  });
});

import { ErrorCodes, type AckError } from '@presently/protocol';
import { Presence, type Identity, type Result } from '../index';
import { anonymous, ledgerHearing, ManualClock, RecordingOccupancy, RecordingSink, registryUnderTest, signedIn, TEST_OPTIONS } from '../testing';
import { keyCost, profileCost, stringCost } from './state-cost';

/*
 * A live connection changing identity (`session:token`): signing in, out,
 * renewing its token. Rooms the new identity may not be in are left first;
 * in the others the member follows: nothing for a renewal, `room:updated`
 * for a new token name, one `room:updated` with `previousUserId` for a
 * replacement, the ordinary events otherwise. Held places, the address
 * budget and a cluster ledger stay exact.
 */

/** A signed-in identity whose token names the user `name`. */
const named = (clientId: string, userId: string, name: string, roles: string[] = []): Identity => ({ ...signedIn(clientId, userId, roles), name });

function expectOk<T extends object>(result: Result<T>): asserts result is { ok: true } & T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
}

function expectError(result: Result<object>, code: string): void {
  expect(result.ok).toBe(false);
  expect((result as AckError).error.code).toBe(code);
}

describe('Presence: a connection changing identity', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let occupancy: RecordingOccupancy;
  let presence: Presence;
  let settle: () => void;

  const start = (options = TEST_OPTIONS) => ({ clock, sink, occupancy, presence, settle } = registryUnderTest(options));
  beforeEach(() => start());
  afterEach(() => presence.dispose());

  /** Starts again with other options. */
  const restart = (options: typeof TEST_OPTIONS) => {
    presence.dispose();
    start(options);
  };

  /** An observer in `room`, and everything announced so far forgotten. */
  const observe = (room: string, id = 'obs') => {
    presence.connect(id, named(`${id}-client`, id, 'Observer', ['ops']));
    expectOk(presence.joinRoom(id, room));
  };

  /** `lobby` with client1..client3, and client3 on a second connection; everything announced forgotten. */
  const fill = () => {
    for (const i of [1, 2, 3]) {
      presence.connect(`v${i}`, anonymous(`client${i}`));
      presence.joinRoom(`v${i}`, 'lobby');
    }
    presence.connect('v3b', anonymous('client3'));
    presence.joinRoom('v3b', 'lobby');
    settle();
  };

  describe('with the same user (a renewed token)', () => {
    it('announces nothing when the name is the same, and answers no room left', () => {
      observe('lobby');
      presence.connect('s1', named('c1', 'ann', 'Ann', ['ops']));
      presence.joinRoom('s1', 'lobby', { status: 'busy' });
      presence.joinRoom('s1', 'role:ops');
      settle();
      const before = presence.members('lobby');
      expect(presence.changeIdentity('s1', named('c1', 'ann', 'Ann', ['ops']))).toEqual({ ok: true, left: [] });
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')).toEqual(before);
    });

    it('announces room:updated with the new name when the token names the user otherwise', () => {
      observe('lobby');
      presence.connect('s1', named('c1', 'ann', 'Ann'));
      presence.joinRoom('s1', 'lobby', { status: 'busy', meta: { x: 1 } });
      const { since } = presence.members('lobby')[1];
      settle();
      clock.advance(1000);
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann B.')));
      const member = { userId: 'ann', name: 'Ann B.', status: 'busy', meta: { x: 1 }, connections: 1, since, activity: 'active' };
      expect(sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member, except: 's1' }]);
      expect(presence.members('lobby')[1]).toEqual(member);
    });

    it('changes nothing for an anonymous visitor that signs out again', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { name: 'Zed' });
      settle();
      expect(presence.changeIdentity('s1', anonymous('c1'))).toEqual({ ok: true, left: [] });
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')[1]).toMatchObject({ userId: 'c1', name: 'Zed' });
    });
  });

  describe('with another user', () => {
    it('replaces a member that had only this connection by the new user, in its place: one room:updated with previousUserId', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { name: 'Zed', status: 'away', meta: { color: 'red' } });
      presence.connect('s2', named('c2', 'bob', 'Bob'));
      presence.joinRoom('s2', 'lobby');
      const { since } = presence.members('lobby')[1];
      settle();
      clock.advance(1000);
      expect(presence.changeIdentity('s1', named('c1', 'ann', 'Ann'))).toEqual({ ok: true, left: [] });
      const member = { userId: 'ann', name: 'Ann', status: 'away', meta: { color: 'red' }, connections: 1, since, activity: 'active' };
      expect(sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member, except: 's1', previousUserId: 'c1' }]);
      // Its place in the list (first-join order) is kept.
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['obs', 'ann', 'bob']);
      expect(presence.members('lobby')[1]).toEqual(member);
      // The room knows the new user only: the old one may come again as a new member.
      presence.connect('s3', anonymous('c1'));
      presence.joinRoom('s3', 'lobby');
      expect(sink.take()).toEqual([{ type: 'room:joined', room: 'lobby', member: expect.objectContaining({ userId: 'c1', since: clock.now() }), except: 's3' }]);
    });

    it('names an anonymous replacement after the name last given in a profile there, else Anonymous', () => {
      observe('lobby');
      observe('game', 'obs2');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { name: 'Zed' });
      presence.joinRoom('s1', 'game');
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      // Signed in, a name in a profile is not shown, yet it is the last one given.
      presence.updateProfile('s1', 'game', { name: 'Player 1' });
      expect(presence.members('game')[1]).toMatchObject({ userId: 'ann', name: 'Ann' });
      presence.joinRoom('s1', 'chess');
      settle();
      expectOk(presence.changeIdentity('s1', anonymous('c1')));
      expect(sink.take()).toEqual([
        { type: 'room:updated', room: 'lobby', member: expect.objectContaining({ userId: 'c1', name: 'Zed' }), except: 's1', previousUserId: 'ann' },
        { type: 'room:updated', room: 'game', member: expect.objectContaining({ userId: 'c1', name: 'Player 1' }), except: 's1', previousUserId: 'ann' },
        { type: 'room:updated', room: 'chess', member: expect.objectContaining({ userId: 'c1', name: 'Anonymous' }), except: 's1', previousUserId: 'ann' },
      ]);
    });

    it('joins the new user as a new member when the old one keeps another connection: room:joined, no leave', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.connect('s1b', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { name: 'Zed', status: 'busy', meta: { n: 1 } });
      presence.joinRoom('s1b', 'lobby');
      settle();
      clock.advance(1000);
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      const joined = { userId: 'ann', name: 'Ann', status: 'busy', meta: { n: 1 }, connections: 1, since: clock.now(), activity: 'active' };
      expect(sink.take()).toEqual([{ type: 'room:joined', room: 'lobby', member: joined, except: 's1' }]);
      expect(presence.members('lobby').map((m) => [m.userId, m.connections])).toEqual([
        ['obs', 1],
        ['c1', 1],
        ['ann', 1],
      ]);
    });

    it('leaves the old member and adds the connection to the new user already there: room:left, then room:updated only if the name changes', () => {
      observe('lobby');
      presence.connect('a1', named('laptop', 'ann', 'Ann'));
      presence.joinRoom('a1', 'lobby', { status: 'away' });
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { status: 'busy' });
      settle();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(sink.take()).toEqual([{ type: 'room:left', room: 'lobby', userId: 'c1', reason: 'leave', duration: 3000, except: 's1' }]);
      // The member of the user keeps its own profile.
      expect(presence.members('lobby').map((m) => [m.userId, m.status, m.connections])).toEqual([
        ['obs', 'online', 1],
        ['ann', 'away', 2],
      ]);
      // A token with another name for the same user renames the member.
      presence.connect('s2', anonymous('c2'));
      presence.joinRoom('s2', 'lobby');
      settle();
      expectOk(presence.changeIdentity('s2', named('c2', 'ann', 'Ann (phone)')));
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'c2', reason: 'leave', duration: 3000, except: 's2' },
        { type: 'room:updated', room: 'lobby', member: expect.objectContaining({ userId: 'ann', name: 'Ann (phone)', connections: 3 }), except: 's2' },
      ]);
    });

    it('counts the old member\'s held connection as another one: the new user joins, the old one leaves when its grace ends', () => {
      observe('lobby');
      presence.connect('s0', anonymous('c1'));
      presence.joinRoom('s0', 'lobby');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby');
      presence.disconnect('s0');
      settle();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(sink.take().map((e) => e.type)).toEqual(['room:joined']);
      expect(presence.members('lobby').map((m) => [m.userId, m.connections])).toEqual([
        ['obs', 1],
        ['c1', 1],
        ['ann', 1],
      ]);
      clock.advance(TEST_OPTIONS.graceMs);
      // Present until its other connection left it for ann.
      expect(sink.take()).toEqual([{ type: 'room:left', room: 'lobby', userId: 'c1', reason: 'disconnect', duration: 3000, except: null }]);
      expect(presence.sizes().held).toBe(0);
    });

    it('holds a switched connection as its new user: a reload of that user takes its place, one of the old user does not', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      presence.disconnect('s1');
      settle();
      presence.connect('s2', anonymous('c1'));
      presence.joinRoom('s2', 'lobby');
      expect(sink.take().map((e) => e.type)).toEqual(['room:joined']);
      presence.connect('s3', named('c1', 'ann', 'Ann'));
      presence.enterPage('s3', '/p');
      presence.joinRoom('s3', 'lobby');
      expect(presence.sizes().held).toBe(0);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.members('lobby').find((m) => m.userId === 'ann')?.connections).toBe(1);
      settle();
      expect(sink.of('room:left')).toEqual([]);
    });

    it('keeps rooms of large rooms quiet: a replacement changes no total, a new member is a count', () => {
      restart({ ...TEST_OPTIONS, rosterMax: 2 });
      fill();
      expectOk(presence.changeIdentity('v1', named('client1', 'ann', 'Ann')));
      settle();
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')[0]).toMatchObject({ userId: 'ann', name: 'Ann' });
      expectOk(presence.changeIdentity('v3', named('client3', 'bob', 'Bob')));
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 4 }]);
    });
  });

  describe('activity', () => {
    it('keeps the switched connection its state: a member it replaces takes it, with the room:updated that replaces', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      expectOk(presence.joinRoom('s1', 'lobby'));
      expectOk(presence.setActivity('s1', 'idle'));
      settle();
      sink.take();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(sink.take()).toEqual([
        { type: 'room:updated', room: 'lobby', member: expect.objectContaining({ userId: 'ann', activity: 'idle' }), except: 's1', previousUserId: 'c1' },
      ]);
      expect(presence.members('lobby').map((m) => [m.userId, m.activity])).toEqual([
        ['obs', 'active'],
        ['ann', 'idle'],
      ]);
    });

    it("recomputes the old member's activity from its remaining connections, announced before the new member; page active counts do not move", () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.connect('s1b', anonymous('c1'));
      expectOk(presence.enterPage('s1', '/p'));
      expectOk(presence.joinRoom('s1', 'lobby'));
      expectOk(presence.joinRoom('s1b', 'lobby'));
      expectOk(presence.setActivity('s1b', 'hidden'));
      presence.connect('s2', named('c2', 'ann', 'Ann'));
      expectOk(presence.joinRoom('s2', 'lobby'));
      expectOk(presence.setActivity('s2', 'idle'));
      settle();
      sink.take();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      const events = sink.take().filter((e) => e.type === 'room:updated');
      expect(events.map((e) => e.type === 'room:updated' && [e.member.userId, e.member.activity, e.except])).toEqual([
        ['c1', 'hidden', 's1'],
        ['ann', 'active', 's1'],
      ]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      // The joined member follows the switched connection's state from now on.
      expectOk(presence.setActivity('s1', 'idle'));
      expect(presence.members('lobby').find((m) => m.userId === 'ann')?.activity).toBe('idle');
    });
  });

  describe('who is present (occupancy, the source of webhooks)', () => {
    it('reports nothing of a replacement: nobody arrived or left', () => {
      observe('lobby');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby');
      occupancy.take();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann B')));
      expectOk(presence.changeIdentity('s1', anonymous('c1')));
      expect(occupancy.take()).toEqual([]);
    });

    it('reports the ordinary arrivals and departures otherwise, the rooms left first', () => {
      observe('lobby');
      observe('role:ops', 'obs2');
      presence.connect('s1', anonymous('c1'));
      presence.connect('s1b', anonymous('c1'));
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s1b', 'lobby');
      presence.connect('a1', named('laptop', 'ann', 'Ann'));
      presence.joinRoom('a1', 'lobby');
      occupancy.take();
      // The anonymous member keeps its other tab: Bob arrives.
      expectOk(presence.changeIdentity('s1', named('c1', 'bob', 'Bob', ['ops'])));
      expect(occupancy.take()).toEqual([{ type: 'memberJoined', room: 'lobby', member: expect.objectContaining({ userId: 'bob', since: clock.now() }) }]);
      presence.joinRoom('s1', 'role:ops');
      clock.advance(1000);
      occupancy.take();
      // Bob leaves the role room he may no longer be in, then his member in the lobby for Ann's, who is there.
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(occupancy.take()).toEqual([
        { type: 'memberLeft', room: 'role:ops', userId: 'bob', reason: 'leave', duration: 1000 },
        { type: 'memberLeft', room: 'lobby', userId: 'bob', reason: 'leave', duration: 1000 },
      ]);
    });
  });

  describe('typing and recent leavers', () => {
    it('keeps a renewal typing; a change of user stops its typing first (the old user typed), then the room follows', () => {
      observe('lobby');
      presence.connect('s1', named('c1', 'ann', 'Ann'));
      presence.joinRoom('s1', 'lobby');
      expectOk(presence.setTyping('s1', 'lobby', true));
      settle();
      sink.take();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(presence.typingIn('lobby')).toEqual(['ann']);
      expect(sink.take()).toEqual([]);
      expectOk(presence.changeIdentity('s1', named('c1', 'bob', 'Bob')));
      expect(sink.take()).toEqual([
        { type: 'room:typing', room: 'lobby', userId: 'ann', typing: false, except: 's1' },
        { type: 'room:updated', room: 'lobby', member: expect.objectContaining({ userId: 'bob', name: 'Bob' }), except: 's1', previousUserId: 'ann' },
      ]);
      expect(presence.typingIn('lobby')).toEqual([]);
      // The new user types on its own.
      expectOk(presence.setTyping('s1', 'lobby', true));
      expect(sink.take()).toEqual([{ type: 'room:typing', room: 'lobby', userId: 'bob', typing: true, except: 's1' }]);
    });

    it('records no recent leaver for a replacement, and forgets the new user as one', () => {
      observe('lobby');
      presence.connect('b1', named('cb', 'bob', 'Bob'));
      presence.joinRoom('b1', 'lobby');
      presence.leaveRoom('b1', 'lobby');
      expect(presence.recentLeavers('lobby').map((l) => l.userId)).toEqual(['bob']);
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby');
      settle();
      expectOk(presence.changeIdentity('s1', named('c1', 'bob', 'Bob')));
      expect(sink.of('room:updated')).toHaveLength(1);
      // c1 did not leave (bob took its place), and bob is back.
      expect(presence.recentLeavers('lobby')).toEqual([]);
    });

    it('records the old member as a recent leaver when it leaves for a user already there, with room:left\'s duration', () => {
      observe('lobby');
      presence.connect('a1', named('laptop', 'ann', 'Ann'));
      presence.joinRoom('a1', 'lobby');
      presence.connect('s1', anonymous('c1'));
      presence.joinRoom('s1', 'lobby', { name: 'Zed' });
      settle();
      clock.advance(500);
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      const [left] = sink.of('room:left');
      expect(left).toMatchObject({ userId: 'c1', reason: 'leave', duration: 3500 });
      expect(presence.recentLeavers('lobby')).toEqual([{ userId: 'c1', name: 'Zed', leftAt: clock.now(), duration: 3500 }]);
    });
  });

  describe('in a room at the line', () => {
    beforeEach(() => restart({ ...TEST_OPTIONS, rosterMax: 3 }));

    it('announces a new member that takes the room over the line as a count, not a join', () => {
      fill();
      expectOk(presence.changeIdentity('v3', named('client3', 'ann', 'Ann')));
      expect(sink.take()).toEqual([]);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 4 }]);
    });

    it('tells a leave that takes the room back below the line, and the join with it, by one snapshot of the room as it ends', () => {
      fill();
      presence.connect('v4', named('client4', 'ann', 'Ann'));
      presence.joinRoom('v4', 'lobby');
      settle();
      presence.leaveRoom('v2', 'lobby');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 3 }]);
      // client1 leaves for ann, who is there: 2 members, below 2.7.
      expectOk(presence.changeIdentity('v1', named('client1', 'ann', 'Ann')));
      expect(sink.take()).toEqual([{ type: 'room:sync', room: 'lobby', members: presence.members('lobby'), total: 2, typing: [] }]);
      expect(presence.members('lobby').map((m) => [m.userId, m.connections])).toEqual([
        ['client3', 2],
        ['ann', 2],
      ]);
    });
  });

  describe('rooms the new identity may not be in', () => {
    it('leaves them first, as explicit leaves, and names them; the others follow', () => {
      observe('private:team');
      observe('role:ops:night', 'obs2');
      observe('lobby', 'obs3');
      presence.connect('s1', named('c1', 'ann', 'Ann', ['ops']));
      for (const room of ['private:team', 'lobby', 'role:ops:night']) presence.joinRoom('s1', room);
      settle();
      expect(presence.changeIdentity('s1', anonymous('c1'))).toEqual({ ok: true, left: ['private:team', 'role:ops:night'] });
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'private:team', userId: 'ann', reason: 'leave', duration: 3000, except: 's1' },
        { type: 'room:left', room: 'role:ops:night', userId: 'ann', reason: 'leave', duration: 3000, except: 's1' },
        { type: 'room:updated', room: 'lobby', member: expect.objectContaining({ userId: 'c1', name: 'Anonymous' }), except: 's1', previousUserId: 'ann' },
      ]);
      // Forbidden now; the rights of a new token are its own.
      expectError(presence.joinRoom('s1', 'private:team'), ErrorCodes.Forbidden);
      expect(presence.changeIdentity('s1', named('c1', 'bob', 'Bob'))).toEqual({ ok: true, left: [] });
      expectOk(presence.joinRoom('s1', 'private:team'));
      expectError(presence.joinRoom('s1', 'role:ops'), ErrorCodes.Forbidden);
    });

    it('gives back the rights a token expiry took, with a fresh token', () => {
      presence.connect('s1', named('c1', 'ann', 'Ann', ['ops']));
      presence.joinRoom('s1', 'role:ops');
      expect(presence.revokeCredentials('s1')).toEqual({ ok: true, rooms: ['role:ops'] });
      expectError(presence.joinRoom('s1', 'role:ops'), ErrorCodes.Forbidden);
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann', ['ops'])));
      expectOk(presence.joinRoom('s1', 'role:ops'));
    });
  });

  describe('what does not move', () => {
    it('keeps pages, watches and every page figure', () => {
      presence.connect('w', anonymous('watcher'));
      presence.watchPages('w', ['/p']);
      presence.connect('s1', anonymous('c1'));
      presence.enterPage('s1', '/p');
      presence.watchPages('s1', ['/q']);
      settle();
      const stats = presence.stats();
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expectOk(presence.changeIdentity('s1', anonymous('c1')));
      settle();
      expect(sink.take()).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.stats()).toEqual(stats);
      expect(presence.leavePage('s1', '/p')).toEqual({ ok: true, unsubscribe: true });
      expect(presence.unwatchPages('s1', ['/q'])).toEqual({ ok: true, unsubscribe: ['/q'] });
    });

    it('refuses an unknown or held connection, and another clientId', () => {
      expectError(presence.changeIdentity('nobody', anonymous('c1')), ErrorCodes.BadRequest);
      presence.connect('s1', anonymous('c1'));
      presence.enterPage('s1', '/p');
      expectError(presence.changeIdentity('s1', anonymous('c2')), ErrorCodes.BadRequest);
      presence.disconnect('s1');
      expectError(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')), ErrorCodes.BadRequest);
    });
  });

  describe('the address budget', () => {
    const HERE = '203.0.113.7';
    const budgeted = (max: number) => restart({ ...TEST_OPTIONS, maxBytesPerAddress: max });
    const profile = (name: string, status = 'online') => profileCost({ name, status, meta: {} });

    it('charges the profile the member has after the change, the name given there, and gives back what the rooms left held', () => {
      budgeted(0);
      presence.connect('s1', named('c1', 'ann', 'Ann', ['ops']), { address: HERE });
      presence.joinRoom('s1', 'lobby', { name: 'Zed' });
      presence.joinRoom('s1', 'role:ops');
      expect(presence.addressBytes(HERE)).toBe(keyCost('lobby') + profile('Ann') + stringCost('Zed') + keyCost('role:ops') + profile('Ann'));
      expectOk(presence.changeIdentity('s1', anonymous('c1')));
      expect(presence.addressBytes(HERE)).toBe(keyCost('lobby') + profile('Zed') + stringCost('Zed'));
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann Longer-Name')));
      expect(presence.addressBytes(HERE)).toBe(keyCost('lobby') + profile('Ann Longer-Name') + stringCost('Zed'));
      presence.disconnect('s1');
      clock.advance(TEST_OPTIONS.graceMs);
      expect(presence.stateBytes()).toBe(0);
    });

    it('refuses a change past the budget with LIMIT_EXCEEDED and changes nothing', () => {
      const max = keyCost('lobby') + profile('Ann') + 10;
      budgeted(max);
      observe('lobby');
      presence.connect('s1', named('c1', 'ann', 'Ann'), { address: HERE });
      presence.joinRoom('s1', 'lobby');
      settle();
      const before = presence.members('lobby');
      expectError(presence.changeIdentity('s1', named('c1', 'ann', 'Ann, with a much longer name')), ErrorCodes.LimitExceeded);
      expectError(presence.changeIdentity('s1', named('c1', 'bob', 'Bob, with a much longer name')), ErrorCodes.LimitExceeded);
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')).toEqual(before);
      expect(presence.addressBytes(HERE)).toBe(keyCost('lobby') + profile('Ann'));
      // Within it, it goes through.
      expectOk(presence.changeIdentity('s1', named('c1', 'bob', 'Bobby')));
    });

    it('hands the old member\'s charge to a connection that stays in it', () => {
      budgeted(0);
      presence.connect('s1', anonymous('c1'), { address: HERE });
      presence.connect('s2', anonymous('c1'), { address: '198.51.100.9' });
      presence.joinRoom('s2', 'lobby');
      presence.joinRoom('s1', 'lobby', { status: 'a status' });
      expect(presence.addressBytes('198.51.100.9')).toBe(keyCost('lobby') + profile('Anonymous'));
      expectOk(presence.changeIdentity('s1', named('c1', 'ann', 'Ann')));
      expect(presence.addressBytes('198.51.100.9')).toBe(keyCost('lobby') + profile('Anonymous', 'a status'));
      expect(presence.addressBytes(HERE)).toBe(keyCost('lobby') + profile('Ann', 'a status'));
    });
  });

  describe('with a cluster ledger', () => {
    it('reports the forbidden rooms as leaves of the old user, then each other room as a renewal or a switch of user', () => {
      const calls: unknown[] = [];
      const ledger = ledgerHearing({
        room: (room, who, delta, change) => calls.push(['room', room, who.userKey, who.tokenName, delta, change.reason ?? null]),
        switchUser: (room, from, to, change) => calls.push(['switchUser', room, from.userKey, to.userKey, to.tokenName, change.name, change.origin]),
      });
      const local = new Presence(new ManualClock(), null, TEST_OPTIONS, ledger);
      local.connect('s1', named('c1', 'ann', 'Ann', ['ops']));
      local.joinRoom('s1', 'role:ops');
      local.joinRoom('s1', 'lobby', { name: 'Zed' });
      calls.length = 0;
      expectOk(local.changeIdentity('s1', named('c1', 'ann', 'Ann 2', ['ops'])));
      expectOk(local.changeIdentity('s1', anonymous('c1')));
      expect(calls).toEqual([
        ['room', 'role:ops', 'u:ann', 'Ann 2', 0, null],
        ['room', 'lobby', 'u:ann', 'Ann 2', 0, null],
        ['room', 'role:ops', 'u:ann', 'Ann 2', -1, 'leave'],
        ['switchUser', 'lobby', 'u:ann', 'a:c1', null, 'Zed', 's1'],
      ]);
      local.dispose();
    });
  });
});

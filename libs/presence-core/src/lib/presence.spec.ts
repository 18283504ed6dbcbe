import { ErrorCodes, type AckError, type Member, type PageCounts, type ProfileInput } from '@presently/protocol';
import { Presence, type Identity, type PresenceOptions, type Result } from '../index';
import { anonymous, ManualClock, RecordingSink, TEST_OPTIONS } from '../testing';

const user = (clientId: string, userId: string, name: string | null = null, roles: string[] = []): Identity => ({
  clientId,
  userId,
  name,
  roles,
  authenticated: true,
});

function expectOk<T extends object>(result: Result<T>): asserts result is { ok: true } & T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
}

function expectError(result: Result<object>, code: string): void {
  expect(result.ok).toBe(false);
  expect((result as AckError).error.code).toBe(code);
  expect(typeof (result as AckError).error.message).toBe('string');
}

/** White-box: the page entries the registry keeps (to prove they do not pile up). */
const pageEntries = (presence: Presence): number => (presence as unknown as { pages: Map<string, unknown> }).pages.size;

describe('Presence', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let presence: Presence;
  let t0: number;

  const setup = (overrides: Partial<PresenceOptions> = {}) => {
    clock = new ManualClock();
    t0 = clock.now();
    sink = new RecordingSink();
    presence = new Presence(clock, sink, { ...TEST_OPTIONS, ...overrides });
  };

  /** A join as its ack answers it: the join's result with the roster read after it. */
  const joinAck = (id: string, room: string, input?: ProfileInput) => {
    const result = presence.joinRoom(id, room, input);
    return result.ok ? { ...result, members: presence.roster(room).members } : result;
  };

  /** Lets every coalescing interval end and forgets what was announced. */
  const settle = () => {
    clock.advance(TEST_OPTIONS.statsIntervalMs * 3);
    sink.take();
  };

  beforeEach(() => setup());

  afterEach(() => {
    presence.dispose();
  });

  // ====================================================================== pages
  describe('pages', () => {
    it('counts distinct clientIds as viewers and sockets as connections', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA')); // second tab of the same browser
      presence.connect('s3', anonymous('clientB'));
      expect(presence.enterPage('s1', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: true });
      expect(presence.enterPage('s2', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 2, active: 1, subscribe: true });
      expect(presence.enterPage('s3', '/p')).toEqual({ ok: true, page: '/p', viewers: 2, connections: 3, active: 2, subscribe: true });
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 3, active: 2 });
      expect(presence.pageCounts('/other')).toEqual({ page: '/other', viewers: 0, connections: 0, active: 0 });
    });

    it('keeps counting a client until its last tab leaves', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s2', '/p');
      presence.leavePage('s1', '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      presence.leavePage('s2', '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 0, connections: 0, active: 0 });
    });

    it('counts one signed-in user on two devices as two viewers', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.connect('s2', user('phone001', 'u1', 'Ann'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s2', '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 2, active: 2 });
    });

    it('lets a socket be on several pages', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/a');
      presence.enterPage('s1', '/b');
      expect(presence.pageCounts('/a').viewers).toBe(1);
      expect(presence.pageCounts('/b').viewers).toBe(1);
      presence.leavePage('s1', '/a');
      expect(presence.pageCounts('/a').viewers).toBe(0);
      expect(presence.pageCounts('/b').viewers).toBe(1);
    });

    it('treats entering twice as idempotent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      clock.flush();
      sink.take();
      expect(presence.enterPage('s1', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: false });
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      clock.advance(1000);
      expect(sink.of('page:count')).toEqual([]);
    });

    it('treats leaving as idempotent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s2', '/p');
      settle();
      expect(presence.leavePage('s1', '/p')).toEqual({ ok: true, unsubscribe: false });
      expect(presence.leavePage('s1', '/never')).toEqual({ ok: true, unsubscribe: false });
      presence.enterPage('s1', '/p');
      expect(presence.leavePage('s1', '/p')).toEqual({ ok: true, unsubscribe: true });
      expect(presence.leavePage('s1', '/p')).toEqual({ ok: true, unsubscribe: false });
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      clock.advance(1000);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.sizes()).toMatchObject({ pages: 1 });
    });

    it('answers LIMIT_EXCEEDED past maxPagesPerSocket and changes nothing', () => {
      setup({ maxPagesPerSocket: 2 });
      presence.connect('s1', anonymous('clientA'));
      expectOk(presence.enterPage('s1', '/a'));
      expectOk(presence.enterPage('s1', '/b'));
      settle();
      expectError(presence.enterPage('s1', '/c'), ErrorCodes.LimitExceeded);
      expect(presence.pageCounts('/c')).toEqual({ page: '/c', viewers: 0, connections: 0, active: 0 });
      expect(presence.stats().top.map((t) => t.page)).toEqual(['/a', '/b']);
      clock.advance(1000);
      expect(sink.events).toEqual([]);
      // Already entered pages stay idempotent at the limit.
      expect(presence.enterPage('s1', '/a')).toMatchObject({ ok: true, viewers: 1, subscribe: false });
      // A leave makes room again.
      presence.leavePage('s1', '/a');
      expectOk(presence.enterPage('s1', '/c'));
      // The limit is per socket.
      presence.connect('s2', anonymous('clientA'));
      expectOk(presence.enterPage('s2', '/x'));
      expectOk(presence.enterPage('s2', '/y'));
    });

    it('answers BAD_REQUEST for an unknown connection', () => {
      expectError(presence.enterPage('nope', '/p'), ErrorCodes.BadRequest);
      expectError(presence.leavePage('nope', '/p'), ErrorCodes.BadRequest);
      expectError(presence.watchPages('nope', ['/p']), ErrorCodes.BadRequest);
      expectError(presence.unwatchPages('nope', ['/p']), ErrorCodes.BadRequest);
      expectError(presence.joinRoom('nope', 'r'), ErrorCodes.BadRequest);
      expectError(presence.leaveRoom('nope', 'r'), ErrorCodes.BadRequest);
      expectError(presence.updateProfile('nope', 'r', { status: 'x' }), ErrorCodes.BadRequest);
      expectError(presence.watchStats('nope'), ErrorCodes.BadRequest);
      expectError(presence.unwatchStats('nope'), ErrorCodes.BadRequest);
      expect(presence.pageCounts('/p').connections).toBe(0);
      expect(presence.members('r')).toEqual([]);
    });

    describe('watching', () => {
      it('returns counts and subscribes without counting the watcher', () => {
        presence.connect('s1', anonymous('clientA'));
        presence.connect('w', anonymous('clientW'));
        presence.enterPage('s1', '/a');
        const ack = presence.watchPages('w', ['/a', '/b', '/a']);
        expect(ack).toEqual({
          ok: true,
          counts: [
            { page: '/a', viewers: 1, connections: 1, active: 1 },
            { page: '/b', viewers: 0, connections: 0, active: 0 },
          ],
          subscribe: ['/a', '/b'],
        });
        expect(presence.pageCounts('/a')).toEqual({ page: '/a', viewers: 1, connections: 1, active: 1 });
        expect(presence.pageCounts('/b')).toEqual({ page: '/b', viewers: 0, connections: 0, active: 0 });
        // Watching again subscribes to nothing new.
        expect(presence.watchPages('w', ['/a'])).toMatchObject({ ok: true, subscribe: [] });
      });

      it('counts a socket that watches and enters a page once, and subscribes it once', () => {
        presence.connect('s1', anonymous('clientA'));
        expect(presence.watchPages('s1', ['/a'])).toMatchObject({ subscribe: ['/a'] });
        expect(presence.enterPage('s1', '/a')).toEqual({ ok: true, page: '/a', viewers: 1, connections: 1, active: 1, subscribe: false });
        // Leaving keeps the subscription of the watch.
        expect(presence.leavePage('s1', '/a')).toEqual({ ok: true, unsubscribe: false });
        expect(presence.pageCounts('/a').connections).toBe(0);
        expect(presence.unwatchPages('s1', ['/a'])).toEqual({ ok: true, unsubscribe: ['/a'] });
      });

      it('does not subscribe again when an entered page is watched, nor unsubscribe when it is unwatched', () => {
        presence.connect('s1', anonymous('clientA'));
        presence.enterPage('s1', '/a');
        expect(presence.watchPages('s1', ['/a', '/b'])).toMatchObject({ subscribe: ['/b'] });
        expect(presence.pageCounts('/a')).toEqual({ page: '/a', viewers: 1, connections: 1, active: 1 });
        expect(presence.unwatchPages('s1', ['/a', '/b', '/c'])).toEqual({ ok: true, unsubscribe: ['/b'] });
        // Still on /a: leaving it now unsubscribes.
        expect(presence.leavePage('s1', '/a')).toEqual({ ok: true, unsubscribe: true });
      });

      it('answers LIMIT_EXCEEDED past maxWatchedPerSocket and watches nothing of that batch', () => {
        setup({ maxWatchedPerSocket: 3 });
        presence.connect('w', anonymous('clientW'));
        expectOk(presence.watchPages('w', ['/a', '/b']));
        // Duplicates and already watched pages do not count twice.
        expectOk(presence.watchPages('w', ['/a', '/b', '/c', '/c']));
        expectError(presence.watchPages('w', ['/d']), ErrorCodes.LimitExceeded);
        expectError(presence.watchPages('w', ['/a', '/d', '/e']), ErrorCodes.LimitExceeded);
        // /d was never watched, /a still is.
        expect(presence.unwatchPages('w', ['/d', '/e'])).toEqual({ ok: true, unsubscribe: [] });
        expect(presence.unwatchPages('w', ['/a'])).toEqual({ ok: true, unsubscribe: ['/a'] });
        expectOk(presence.watchPages('w', ['/d']));
      });

      it('ends the watches of a disconnected socket', () => {
        setup({ maxWatchedPerSocket: 1 });
        presence.connect('w', anonymous('clientW'));
        presence.watchPages('w', ['/a']);
        presence.enterPage('w', '/p');
        presence.disconnect('w');
        presence.connect('w2', anonymous('clientW'));
        // The new socket has its own, empty, watch list.
        expectOk(presence.watchPages('w2', ['/b']));
      });
    });
  });

  // ====================================================================== rooms
  describe('rooms', () => {
    it('announces room:joined for a user\'s first connection only, except to that connection', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.connect('s2', user('phone001', 'u1', 'Ann'));
      const first = joinAck('s1', 'lobby');
      expectOk(first);
      const member: Member = { userId: 'u1', name: 'Ann', status: 'online', meta: {}, connections: 1, since: t0, activity: 'active' };
      expect(first).toEqual({ ok: true, room: 'lobby', self: member, members: [member], total: 1, subscribe: true });
      expect(sink.take()).toEqual([{ type: 'room:joined', room: 'lobby', member, except: 's1' }]);

      clock.advance(10);
      const second = joinAck('s2', 'lobby');
      expectOk(second);
      expect(second.self).toEqual({ ...member, connections: 2 });
      expect(second.members).toEqual([{ ...member, connections: 2 }]);
      expect(second.subscribe).toBe(true);
      // A change of connections alone is not announced.
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')).toEqual([{ ...member, connections: 2 }]);
    });

    it('counts anonymous visitors apart, by clientId', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.connect('s3', anonymous('clientB'));
      presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      presence.joinRoom('s2', 'lobby');
      presence.joinRoom('s3', 'lobby', { name: 'Bob' });
      expect(presence.members('lobby').map((m) => [m.userId, m.name, m.connections])).toEqual([
        ['clientA', 'Ann', 2],
        ['clientB', 'Bob', 1],
      ]);
      expect(sink.of('room:joined').map((e) => [e.member.userId, e.except])).toEqual([
        ['clientA', 's1'],
        ['clientB', 's3'],
      ]);
    });

    it('announces room:left with the reason only after the user\'s last connection leaves', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.connect('s2', user('phone001', 'u1', 'Ann'));
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s2', 'lobby');
      sink.take();
      expect(presence.leaveRoom('s1', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: true });
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')).toMatchObject([{ userId: 'u1', connections: 1 }]);
      expect(presence.leaveRoom('s2', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: true });
      expect(sink.take()).toEqual([{ type: 'room:left', room: 'lobby', userId: 'u1', reason: 'leave', duration: 0, except: 's2' }]);
      expect(presence.members('lobby')).toEqual([]);
      expect(presence.sizes().rooms).toBe(0);
    });

    it('treats leaving a room the socket is not in as idempotent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.joinRoom('s2', 'lobby');
      sink.take();
      expect(presence.leaveRoom('s1', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: false });
      expect(presence.leaveRoom('s1', 'nowhere')).toEqual({ ok: true, room: 'nowhere', unsubscribe: false });
      presence.joinRoom('s1', 'lobby');
      presence.leaveRoom('s1', 'lobby');
      sink.take();
      expect(presence.leaveRoom('s1', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: false });
      expect(sink.events).toEqual([]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['clientB']);
    });

    it('applies a changed profile on a repeated join from the same socket as an update', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      sink.take();
      const again = presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      expect(again).toMatchObject({ ok: true, subscribe: false, self: { name: 'Ann', connections: 1 } });
      expect(sink.take()).toEqual([]);
      const changed = presence.joinRoom('s1', 'lobby', { status: 'away' });
      expect(changed).toMatchObject({ ok: true, subscribe: false, self: { name: 'Ann', status: 'away', connections: 1 } });
      expect(sink.take()).toEqual([
        {
          type: 'room:updated',
          room: 'lobby',
          member: { userId: 'clientA', name: 'Ann', status: 'away', meta: {}, connections: 1, since: t0, activity: 'active' },
          except: 's1',
        },
      ]);
    });

    it('lets another tab of the same user joining with a different profile update it', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby', { name: 'Ann', meta: { color: 'red' } });
      sink.take();
      presence.joinRoom('s2', 'lobby', { meta: { color: 'blue' } });
      expect(sink.take()).toEqual([
        {
          type: 'room:updated',
          room: 'lobby',
          member: { userId: 'clientA', name: 'Ann', status: 'online', meta: { color: 'blue' }, connections: 2, since: t0, activity: 'active' },
          except: 's2',
        },
      ]);
    });

    it('announces room:updated only when the profile really changed', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby', { name: 'Ann', status: 'busy', meta: { a: 1, b: [1, 2] } });
      sink.take();
      expect(presence.updateProfile('s1', 'lobby', {})).toMatchObject({ ok: true, room: 'lobby', self: { name: 'Ann' } });
      expect(presence.updateProfile('s1', 'lobby', { name: 'Ann' })).toMatchObject({ ok: true });
      expect(presence.updateProfile('s1', 'lobby', { status: 'busy', meta: { a: 1, b: [1, 2] } })).toMatchObject({ ok: true });
      expect(sink.take()).toEqual([]);

      const updated = presence.updateProfile('s1', 'lobby', { meta: { a: 2 } });
      expectOk(updated);
      expect(updated.self).toEqual({ userId: 'clientA', name: 'Ann', status: 'busy', meta: { a: 2 }, connections: 1, since: t0, activity: 'active' });
      expect(sink.take()).toEqual([{ type: 'room:updated', room: 'lobby', member: updated.self, except: 's1' }]);

      presence.updateProfile('s1', 'lobby', { name: 'Annie' });
      presence.updateProfile('s1', 'lobby', { status: 'online' });
      expect(sink.take().map((e) => (e.type === 'room:updated' ? [e.member.name, e.member.status] : e.type))).toEqual([
        ['Annie', 'busy'],
        ['Annie', 'online'],
      ]);
      expect(presence.members('lobby')).toEqual([
        { userId: 'clientA', name: 'Annie', status: 'online', meta: { a: 2 }, connections: 1, since: t0, activity: 'active' },
      ]);
    });

    it('answers BAD_REQUEST to an update for a room not joined, and changes nothing', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      expectError(presence.updateProfile('s1', 'lobby', { name: 'X' }), ErrorCodes.BadRequest);
      presence.joinRoom('s2', 'lobby', { name: 'Ann' });
      sink.take();
      // s1 is the same user as s2 but has not joined.
      expectError(presence.updateProfile('s1', 'lobby', { name: 'X' }), ErrorCodes.BadRequest);
      presence.joinRoom('s1', 'lobby');
      presence.leaveRoom('s1', 'lobby');
      expectError(presence.updateProfile('s1', 'lobby', { name: 'X' }), ErrorCodes.BadRequest);
      expect(sink.events).toEqual([]);
      expect(presence.members('lobby')).toMatchObject([{ name: 'Ann', connections: 1 }]);
      expect(presence.members('never')).toEqual([]);
    });

    it('takes an authenticated user\'s name from its identity, never from the payload', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.connect('s2', user('laptop02', 'u2', null));
      const ann = presence.joinRoom('s1', 'lobby', { name: 'Mallory', status: 'busy' });
      expect(ann).toMatchObject({ ok: true, self: { userId: 'u1', name: 'Ann', status: 'busy' } });
      const u2 = presence.joinRoom('s2', 'lobby', { name: 'Mallory' });
      // Without a name in the token, the name is the userId.
      expect(u2).toMatchObject({ ok: true, self: { userId: 'u2', name: 'u2' } });
      sink.take();
      expect(presence.updateProfile('s1', 'lobby', { name: 'Eve' })).toMatchObject({ ok: true, self: { name: 'Ann' } });
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby').map((m) => m.name)).toEqual(['Ann', 'u2']);
    });

    it('gives anonymous visitors the name Anonymous, status online and meta {} by default', () => {
      presence.connect('s1', anonymous('clientA'));
      const ack = presence.joinRoom('s1', 'lobby');
      expect(ack).toMatchObject({ ok: true, self: { userId: 'clientA', name: 'Anonymous', status: 'online', meta: {} } });
      presence.connect('s2', anonymous('clientB'));
      expect(presence.joinRoom('s2', 'lobby', { name: 'Bob', meta: { x: true } })).toMatchObject({
        self: { name: 'Bob', status: 'online', meta: { x: true } },
      });
      // A partial update keeps the rest.
      expect(presence.updateProfile('s2', 'lobby', { status: 'away' })).toMatchObject({
        self: { name: 'Bob', status: 'away', meta: { x: true } },
      });
    });

    it('lists members in the order they first joined', () => {
      const ids = ['clientC', 'clientA', 'clientB'];
      ids.forEach((id, i) => {
        presence.connect(`s${i}`, anonymous(id));
        clock.advance(5);
        presence.joinRoom(`s${i}`, 'lobby');
      });
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(ids);
      // A second tab does not move its user.
      presence.connect('s9', anonymous('clientC'));
      presence.joinRoom('s9', 'lobby', { status: 'away' });
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(ids);
      // A user who left and came back joins at the end, with a new `since`.
      presence.leaveRoom('s1', 'lobby');
      clock.advance(100);
      const back = presence.joinRoom('s1', 'lobby');
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['clientC', 'clientB', 'clientA']);
      expect(back).toMatchObject({ self: { userId: 'clientA', since: clock.now() } });
      expect(presence.members('lobby')[0].since).toBe(t0 + 5);
    });

    it('keeps the order of the join ack members equal to members()', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.joinRoom('s1', 'lobby');
      const ack = joinAck('s2', 'lobby');
      expectOk(ack);
      expect(ack.members).toEqual(presence.members('lobby'));
      expect(ack.members.map((m) => m.userId)).toEqual(['clientA', 'clientB']);
    });

    it('keeps rooms separate', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'one', { name: 'A1' });
      presence.joinRoom('s1', 'two', { name: 'A2' });
      expect(presence.members('one')).toMatchObject([{ name: 'A1' }]);
      expect(presence.members('two')).toMatchObject([{ name: 'A2' }]);
      presence.leaveRoom('s1', 'one');
      expect(presence.members('one')).toEqual([]);
      expect(presence.members('two')).toHaveLength(1);
    });

    describe('access', () => {
      it('keeps private:* rooms for authenticated users', () => {
        presence.connect('s1', anonymous('clientA'));
        presence.connect('s2', user('laptop01', 'u1', 'Ann'));
        expectError(presence.joinRoom('s1', 'private:team'), ErrorCodes.Forbidden);
        expectOk(presence.joinRoom('s2', 'private:team'));
        expect(presence.members('private:team').map((m) => m.userId)).toEqual(['u1']);
        // Only the exact prefix makes a room private.
        expectOk(presence.joinRoom('s1', 'private'));
        expectOk(presence.joinRoom('s1', 'xprivate:team'));
      });

      it('keeps role:<r> and role:<r>:* rooms for users with the role r', () => {
        presence.connect('a', anonymous('clientA'));
        presence.connect('ops', user('laptop01', 'u1', 'Ops', ['ops']));
        presence.connect('adm', user('laptop02', 'u2', 'Adm', ['admin', 'ops']));
        expectError(presence.joinRoom('a', 'role:admin'), ErrorCodes.Forbidden);
        expectError(presence.joinRoom('ops', 'role:admin'), ErrorCodes.Forbidden);
        expectError(presence.joinRoom('ops', 'role:admin:deploys'), ErrorCodes.Forbidden);
        // The role is only the first segment.
        expectError(presence.joinRoom('ops', 'role:admin:ops'), ErrorCodes.Forbidden);
        expectError(presence.joinRoom('ops', 'role:administrator'), ErrorCodes.Forbidden);
        expectOk(presence.joinRoom('ops', 'role:ops'));
        expectOk(presence.joinRoom('ops', 'role:ops:night'));
        expectOk(presence.joinRoom('adm', 'role:admin'));
        expectOk(presence.joinRoom('adm', 'role:admin:deploys'));
        expectOk(presence.joinRoom('adm', 'role:ops'));
        expectOk(presence.joinRoom('a', 'roles:admin'));
      });

      it('changes nothing when it refuses a join', () => {
        setup({ maxRoomsPerSocket: 1 });
        presence.connect('s1', user('laptop01', 'u1', 'Ann'));
        expectError(presence.joinRoom('s1', 'role:admin', { status: 'busy' }), ErrorCodes.Forbidden);
        expect(presence.members('role:admin')).toEqual([]);
        expect(presence.sizes().rooms).toBe(0);
        expect(sink.events).toEqual([]);
        // The refused join did not use up the socket's only room.
        expectOk(presence.joinRoom('s1', 'lobby'));
        expectError(presence.updateProfile('s1', 'role:admin', { status: 'x' }), ErrorCodes.BadRequest);
      });
    });

    it('answers LIMIT_EXCEEDED past maxRoomsPerSocket and changes nothing', () => {
      setup({ maxRoomsPerSocket: 2 });
      presence.connect('s1', anonymous('clientA'));
      expectOk(presence.joinRoom('s1', 'r1'));
      expectOk(presence.joinRoom('s1', 'r2'));
      sink.take();
      expectError(presence.joinRoom('s1', 'r3', { name: 'X' }), ErrorCodes.LimitExceeded);
      expect(presence.members('r3')).toEqual([]);
      expect(presence.sizes().rooms).toBe(2);
      expect(sink.events).toEqual([]);
      // A joined room can still be joined again (and updated) at the limit.
      expect(presence.joinRoom('s1', 'r1', { name: 'Ann' })).toMatchObject({ ok: true, self: { name: 'Ann' } });
      presence.leaveRoom('s1', 'r2');
      expectOk(presence.joinRoom('s1', 'r3'));
    });
  });

  // ================================================================ large rooms
  describe('large rooms', () => {
    /** Connects `n` anonymous visitors `v1`..`vn` and joins them to `lobby`. */
    const fill = (from: number, to: number) => {
      for (let i = from; i <= to; i++) {
        presence.connect(`v${i}`, anonymous(`client${i}`));
        expectOk(presence.joinRoom(`v${i}`, 'lobby'));
      }
    };

    beforeEach(() => setup({ rosterMax: 3 }));

    it('announces a coalesced room:count instead of member events above rosterMax, the first one always', () => {
      fill(1, 3);
      expect(sink.take().map((e) => e.type)).toEqual(['room:joined', 'room:joined', 'room:joined']);
      presence.connect('v4', anonymous('client4'));
      const ack = joinAck('v4', 'lobby');
      expectOk(ack);
      expect(ack.total).toBe(4);
      expect(ack.members.map((m) => m.userId)).toEqual(['client1', 'client2', 'client3']);
      expect(sink.take()).toEqual([]);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 4 }]);
      // Joins and leaves within the interval: one count at its end.
      fill(5, 6);
      presence.leaveRoom('v6', 'lobby');
      clock.flush();
      expect(sink.take()).toEqual([]);
      clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 5 }]);
    });

    it('keeps profile changes in a large room unannounced', () => {
      fill(1, 4);
      settle();
      expect(presence.updateProfile('v1', 'lobby', { status: 'away' })).toMatchObject({ ok: true, self: { status: 'away' } });
      settle();
      expect(sink.take()).toEqual([]);
      expect(presence.members('lobby')[0]).toMatchObject({ userId: 'client1', status: 'away' });
    });

    it('owes the next room:count to a joiner answered another total, even if the total comes back', () => {
      fill(1, 4);
      settle();
      presence.connect('v5', anonymous('client5'));
      expect(presence.joinRoom('v5', 'lobby')).toMatchObject({ ok: true, total: 5 });
      presence.leaveRoom('v4', 'lobby');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 4 }]);
      // Nobody was answered anything else since: the same total is not sent again.
      presence.leaveRoom('v3', 'lobby');
      fill(3, 3);
      settle();
      expect(sink.of('room:count')).toEqual([]);
    });

    it('switches back below 90 % of the line with one room:sync, then announces members again', () => {
      fill(1, 4);
      settle();
      // 3 members: not below 2.7 yet, still large.
      presence.leaveRoom('v4', 'lobby');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'room:count', room: 'lobby', total: 3 }]);
      presence.leaveRoom('v3', 'lobby');
      expect(sink.take()).toEqual([{ type: 'room:sync', room: 'lobby', members: presence.members('lobby'), total: 2, typing: [] }]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['client1', 'client2']);
      settle();
      presence.leaveRoom('v2', 'lobby');
      expect(sink.take()).toEqual([{ type: 'room:left', room: 'lobby', userId: 'client2', reason: 'leave', duration: 6000, except: 'v2' }]);
      // Large again: its first count goes out whatever was sent before.
      fill(2, 4);
      clock.flush();
      expect(sink.take().map((e) => e.type)).toEqual(['room:joined', 'room:joined', 'room:count']);
    });
  });

  // ====================================================================== grace
  describe('grace period', () => {
    it('holds a disconnected socket\'s pages and rooms for graceMs, still counting everywhere', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s2', '/p');
      presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      presence.joinRoom('s2', 'lobby', { name: 'Bob' });
      settle();

      presence.disconnect('s1');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 2, active: 2 });
      expect(presence.members('lobby')).toMatchObject([
        { userId: 'clientA', connections: 1 },
        { userId: 'clientB', connections: 1 },
      ]);
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 2 });
      expect(presence.sizes().held).toBe(1);
      // A held socket cannot act.
      expectError(presence.enterPage('s1', '/q'), ErrorCodes.BadRequest);
      expectError(presence.leaveRoom('s1', 'lobby'), ErrorCodes.BadRequest);

      clock.advance(TEST_OPTIONS.graceMs - 1);
      expect(sink.events).toEqual([]);
      expect(presence.pageCounts('/p').viewers).toBe(2);

      clock.advance(1);
      // The expiry, then the new count as a leading edge.
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'clientA', reason: 'disconnect', duration: 3000, except: null },
        { type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } },
      ]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['clientB']);
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      expect(presence.sizes().held).toBe(0);
    });

    it('lets the same client and user returning within grace take the held socket\'s place silently', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby', { status: 'busy' });
      settle();
      clock.advance(1000);

      presence.disconnect('s1');
      clock.advance(2000);
      presence.connect('s2', user('laptop01', 'u1', 'Ann'));
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
      expect(presence.enterPage('s2', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: true });
      const join = joinAck('s2', 'lobby', { status: 'busy' });
      expect(join).toEqual({
        ok: true,
        room: 'lobby',
        self: { userId: 'u1', name: 'Ann', status: 'busy', meta: {}, connections: 1, since: t0, activity: 'active' },
        members: [{ userId: 'u1', name: 'Ann', status: 'busy', meta: {}, connections: 1, since: t0, activity: 'active' }],
        total: 1,
        subscribe: true,
      });
      // The held socket had nothing more: it is gone.
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      expect(presence.sizes().held).toBe(0);
      expect(clock.pendingTimers).toBe(0);

      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.events).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.members('lobby')).toMatchObject([{ userId: 'u1', connections: 1, since: t0, activity: 'active' }]);
    });

    it('lets a returning anonymous visitor keep its place too', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s9', anonymous('clientZ'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s9', '/p');
      presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      settle();
      presence.disconnect('s1');
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s2', '/p');
      presence.joinRoom('s2', 'lobby', { name: 'Ann' });
      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.events).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 2, connections: 2, active: 2 });
      expect(presence.members('lobby')).toMatchObject([{ userId: 'clientA', name: 'Ann', connections: 1 }]);
    });

    it('applies a changed profile of a returning socket as an update', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby', { name: 'Ann' });
      sink.take();
      presence.disconnect('s1');
      presence.connect('s2', anonymous('clientA'));
      presence.joinRoom('s2', 'lobby', { name: 'Ann', status: 'away' });
      expect(sink.take()).toEqual([
        {
          type: 'room:updated',
          room: 'lobby',
          member: { userId: 'clientA', name: 'Ann', status: 'away', meta: {}, connections: 1, since: t0, activity: 'active' },
          except: 's2',
        },
      ]);
    });

    it('keeps the held socket counting for what the returning one did not re-enter', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/a');
      presence.enterPage('s1', '/b');
      presence.joinRoom('s1', 'lobby');
      settle();
      presence.disconnect('s1');
      clock.advance(1000);
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s2', '/a');
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
      expect(presence.pageCounts('/a')).toEqual({ page: '/a', viewers: 1, connections: 1, active: 1 });
      expect(presence.pageCounts('/b')).toEqual({ page: '/b', viewers: 1, connections: 1, active: 1 });
      expect(presence.members('lobby')).toMatchObject([{ userId: 'clientA', connections: 1 }]);

      clock.advance(TEST_OPTIONS.graceMs - 1000);
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'clientA', reason: 'disconnect', duration: 3000, except: null },
        { type: 'page:count', counts: { page: '/b', viewers: 0, connections: 0, active: 0 } },
      ]);
      expect(presence.pageCounts('/a')).toEqual({ page: '/a', viewers: 1, connections: 1, active: 1 });
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      expect(presence.stats().top).toEqual([{ page: '/a', viewers: 1 }]);
    });

    it('leaves a held socket counting in online until expiry when the returning one re-enters nothing', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.disconnect('s1');
      presence.connect('s2', anonymous('clientA'));
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
      expect(presence.sizes()).toMatchObject({ connections: 2, visitors: 1, held: 1 });
      clock.advance(TEST_OPTIONS.graceMs - 1);
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
      expect(presence.pageCounts('/p').connections).toBe(1);
      clock.advance(1);
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      expect(presence.pageCounts('/p').connections).toBe(0);
    });

    it('does not let a different userId take over, even with the same clientId', () => {
      presence.connect('s1', anonymous('laptop01'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby', { name: 'Guest' });
      settle();
      presence.disconnect('s1');
      // The visitor signs in on the same browser.
      presence.connect('s2', user('laptop01', 'u1', 'Ann'));
      expect(presence.enterPage('s2', '/p')).toMatchObject({ viewers: 1, connections: 2, active: 1 });
      presence.joinRoom('s2', 'lobby');
      expect(sink.take()).toEqual([
        {
          type: 'room:joined',
          room: 'lobby',
          member: { userId: 'u1', name: 'Ann', status: 'online', meta: {}, connections: 1, since: t0 + 3000, activity: 'active' },
          except: 's2',
        },
      ]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['laptop01', 'u1']);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 2, active: 1 } }]);

      clock.advance(TEST_OPTIONS.graceMs);
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'laptop01', reason: 'disconnect', duration: 3000, except: null },
        { type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } },
      ]);
      expect(presence.members('lobby').map((m) => m.userId)).toEqual(['u1']);
    });

    it('does not let another device of the same user take over, but keeps the user in the room', () => {
      presence.connect('s1', user('laptop01', 'u1', 'Ann'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      settle();
      presence.disconnect('s1');
      presence.connect('s2', user('phone001', 'u1', 'Ann'));
      expect(presence.enterPage('s2', '/p')).toMatchObject({ viewers: 2, connections: 2, active: 2 });
      expect(presence.joinRoom('s2', 'lobby')).toMatchObject({ self: { connections: 2, since: t0, activity: 'active' } });
      expect(sink.of('room:joined')).toEqual([]);
      clock.advance(TEST_OPTIONS.graceMs);
      expect(sink.of('room:left')).toEqual([]);
      expect(presence.members('lobby')).toMatchObject([{ userId: 'u1', connections: 1, since: t0, activity: 'active' }]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    });

    it('makes an explicit leave take effect at once, even with a held socket around', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      presence.enterPage('s2', '/p');
      presence.joinRoom('s2', 'lobby');
      settle();
      presence.leavePage('s2', '/p');
      presence.leaveRoom('s2', 'lobby');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'clientB', reason: 'leave', duration: 3000, except: 's2' },
      ]);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
      // Leaving before disconnecting leaves nothing to hold.
      presence.disconnect('s2');
      expect(presence.sizes().held).toBe(0);
      expect(presence.stats().online.connections).toBe(1);
    });

    it('with graceMs 0 removes a disconnected socket at once', () => {
      setup({ graceMs: 0 });
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s2', 'lobby');
      settle();
      presence.disconnect('s1');
      expect(sink.take()).toEqual([
        { type: 'room:left', room: 'lobby', userId: 'clientA', reason: 'disconnect', duration: 3000, except: null },
      ]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 0, connections: 0, active: 0 });
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      expect(presence.sizes().held).toBe(0);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 0, connections: 0, active: 0 } }]);
    });

    it('removes a disconnected socket with no pages or rooms from online at once', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.connect('w', anonymous('clientW'));
      presence.watchPages('w', ['/p']);
      presence.watchStats('w');
      presence.enterPage('s1', '/p');
      presence.leavePage('s1', '/p');
      expect(presence.stats().online).toEqual({ connections: 3, visitors: 2 });
      presence.disconnect('s1');
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 2 });
      presence.disconnect('w');
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
      presence.disconnect('s2');
      expect(presence.sizes()).toEqual({ connections: 0, visitors: 0, pages: 0, rooms: 0, held: 0 });
    });

    it('ignores a second disconnect and a disconnect of an unknown socket', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.joinRoom('s1', 'lobby');
      sink.take();
      presence.disconnect('s1');
      clock.advance(3000);
      presence.disconnect('s1');
      presence.disconnect('nope');
      clock.advance(1999);
      expect(sink.events).toEqual([]);
      clock.advance(1);
      expect(sink.of('room:left')).toHaveLength(1);
      presence.disconnect('s1');
      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.of('room:left')).toHaveLength(1);
    });

    it('holds each tab of a client on its own and lets one returning tab take one place', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s2', '/p');
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s2', 'lobby');
      settle();
      presence.disconnect('s1');
      clock.advance(1000);
      presence.disconnect('s2');
      presence.connect('s3', anonymous('clientA'));
      presence.enterPage('s3', '/p');
      presence.joinRoom('s3', 'lobby');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 2, active: 1 });
      expect(presence.members('lobby')).toMatchObject([{ connections: 2 }]);
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
      clock.advance(TEST_OPTIONS.graceMs);
      expect(sink.of('room:left')).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.members('lobby')).toMatchObject([{ connections: 1 }]);
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
    });
  });

  // ================================================================= coalescing
  // ==================================================== streams (no Socket.IO)
  describe('streams: a reader without Socket.IO', () => {
    // A Server-Sent Events reader is a connection that enters its one page.
    const openStream = (id: string, clientId: string, page: string) => {
      presence.connect(id, anonymous(clientId));
      return presence.enterPage(id, page);
    };

    it('counts a stream as a viewer and a connection, and in online and top', () => {
      expect(openStream('sse:1', 'clientA', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: true });
      expect(presence.stats()).toEqual({ online: { connections: 1, visitors: 1 }, top: [{ page: '/p', viewers: 1 }] });
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('counts a socket and a stream of one clientId as one viewer and two connections', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      expect(openStream('sse:1', 'clientA', '/p')).toMatchObject({ viewers: 1, connections: 2, active: 1 });
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 1 });
    });

    it('holds a closed stream for the grace period, and a stream or a socket of its client takes its place', () => {
      openStream('sse:1', 'clientA', '/p');
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s2', '/p');
      settle();

      presence.disconnect('sse:1');
      expect(presence.sizes()).toMatchObject({ held: 1, connections: 2, visitors: 2 });
      expect(openStream('sse:2', 'clientA', '/p')).toMatchObject({ viewers: 2, connections: 2, active: 2 });
      expect(presence.sizes()).toMatchObject({ held: 0, connections: 2 });

      presence.disconnect('sse:2');
      presence.connect('s3', anonymous('clientA'));
      expect(presence.enterPage('s3', '/p')).toMatchObject({ viewers: 2, connections: 2, active: 2 });
      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.take()).toEqual([]);
    });

    it('releases a closed stream when the grace runs out: no ghost is left', () => {
      openStream('sse:1', 'clientA', '/p');
      openStream('sse:2', 'clientB', '/p');
      settle();
      presence.disconnect('sse:1');
      clock.advance(1);
      presence.disconnect('sse:2');
      clock.advance(TEST_OPTIONS.graceMs + TEST_OPTIONS.countIntervalMs);
      expect(sink.take()).toEqual([
        { type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } },
        { type: 'page:count', counts: { page: '/p', viewers: 0, connections: 0, active: 0 } },
      ]);
      expect(presence.sizes()).toEqual({ connections: 0, visitors: 0, pages: 0, rooms: 0, held: 0 });
      clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(pageEntries(presence)).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  // ================================================ uncounted (crawlers, bots)
  describe('uncounted connections', () => {
    const crawler = { counted: false };

    it('acks page:enter with the counts without the crawler, subscribes it, and moves no figure', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      settle();
      presence.connect('bot', anonymous('botclient'), crawler);
      expect(presence.enterPage('bot', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: true });
      expect(presence.watchPages('bot', ['/p', '/q'])).toEqual({
        ok: true,
        counts: [
          { page: '/p', viewers: 1, connections: 1, active: 1 },
          { page: '/q', viewers: 0, connections: 0, active: 0 },
        ],
        subscribe: ['/q'],
      });
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      expect(presence.stats()).toEqual({ online: { connections: 1, visitors: 1 }, top: [{ page: '/p', viewers: 1 }] });
      expect(presence.sizes()).toEqual({ connections: 1, visitors: 1, pages: 1, rooms: 0, held: 0 });
      clock.advance(TEST_OPTIONS.statsIntervalMs);
      expect(sink.take()).toEqual([]);
      // Still subscribed: it watches the page too.
      expect(presence.leavePage('bot', '/p')).toEqual({ ok: true, unsubscribe: false });
      expect(presence.leavePage('bot', '/p')).toEqual({ ok: true, unsubscribe: false });
      clock.advance(TEST_OPTIONS.statsIntervalMs);
      expect(sink.take()).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    });

    it('lets a crawler hear the counts of its page change', () => {
      presence.connect('bot', anonymous('botclient'), crawler);
      expect(presence.enterPage('bot', '/p')).toMatchObject({ viewers: 0, connections: 0, active: 0 });
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('does not count a crawler beside a counted connection of the same clientId', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('bot', anonymous('clientA'), crawler);
      presence.enterPage('s1', '/p');
      presence.enterPage('bot', '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
      presence.disconnect('bot');
      presence.leavePage('s1', '/p');
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 0, connections: 0, active: 0 });
      expect(presence.stats().online).toEqual({ connections: 1, visitors: 1 });
    });

    it('holds nothing of a crawler, and never lets it take or leave a held place', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      settle();
      presence.disconnect('s1');
      // A crawler with the same clientId does not take the held place...
      presence.connect('bot', anonymous('clientA'), crawler);
      expect(presence.enterPage('bot', '/p')).toMatchObject({ viewers: 1, connections: 1, active: 1 });
      expect(presence.sizes().held).toBe(1);
      // ...and leaves nothing held behind.
      presence.disconnect('bot');
      expect(presence.sizes()).toMatchObject({ held: 1, connections: 1 });
      clock.advance(TEST_OPTIONS.graceMs);
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 0, connections: 0, active: 0 } }]);
      expect(presence.sizes()).toEqual({ connections: 0, visitors: 0, pages: 0, rooms: 0, held: 0 });
      clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(clock.pendingTimers).toBe(0);
    });

    it('answers FORBIDDEN to a crawler joining a room, and changes nothing', () => {
      presence.connect('bot', user('botclient', 'u1', 'Ann'), crawler);
      expectError(presence.joinRoom('bot', 'lobby', { name: 'Bot' }), ErrorCodes.Forbidden);
      expect(presence.members('lobby')).toEqual([]);
      expectError(presence.updateProfile('bot', 'lobby', { status: 'away' }), ErrorCodes.BadRequest);
      expect(presence.leaveRoom('bot', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: false });
      expect(sink.events).toEqual([]);
    });

    it('lets a crawler watch the stats without appearing in them', () => {
      presence.connect('bot', anonymous('botclient'), crawler);
      expect(presence.watchStats('bot')).toEqual({ ok: true, online: { connections: 0, visitors: 0 }, top: [] });
      presence.connect('s1', anonymous('clientA'));
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'stats', stats: { online: { connections: 1, visitors: 1 }, top: [] } }]);
    });
  });

  describe('coalescing of page:count', () => {
    it('sends the first change of a quiet page once the task is done (leading edge)', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      expect(sink.events).toEqual([]);
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('merges changes within countIntervalMs and sends the last value when it ends', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      clock.flush();
      sink.take();
      for (let i = 2; i <= 4; i++) {
        clock.advance(50);
        presence.connect(`s${i}`, anonymous(`client${i}`));
        presence.enterPage(`s${i}`, '/p');
      }
      clock.advance(50);
      presence.leavePage('s4', '/p');
      clock.advance(49);
      expect(sink.events).toEqual([]);
      clock.advance(1);
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 3, connections: 3, active: 3 } }]);
      clock.advance(1000);
      expect(sink.events).toEqual([]);
    });

    it('sends nothing for a page whose counts go up and back down within one task', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      settle();
      presence.enterPage('s2', '/p');
      presence.leavePage('s2', '/p');
      presence.enterPage('s2', '/new');
      presence.leavePage('s2', '/new');
      clock.advance(1000);
      expect(sink.events).toEqual([]);
    });

    it('sends nothing when the value at the end of the interval equals the last one sent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      clock.flush();
      sink.take();
      clock.advance(10);
      // s2 is told 2 viewers, then leaves (and unsubscribes): nobody is left believing 2.
      presence.enterPage('s2', '/p');
      clock.advance(10);
      presence.leavePage('s2', '/p');
      clock.advance(1000);
      expect(sink.events).toEqual([]);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    });

    it('announces a change of connections alone', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      settle();
      presence.enterPage('s2', '/p');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 2, active: 1 } }]);
    });

    it('sends one page:count for a burst of enters in one task', () => {
      const n = 50;
      for (let i = 0; i < n; i++) {
        presence.connect(`s${i}`, anonymous(`client${i}`));
        presence.enterPage(`s${i}`, '/p');
      }
      clock.advance(TEST_OPTIONS.countIntervalMs * 4);
      expect(sink.of('page:count')).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: n, connections: n, active: n } }]);
    });

    it('sends at most one page:count per page per interval however often it changes', () => {
      const times: number[] = [];
      const timed = new (class extends RecordingSink {
        override pageCount(counts: PageCounts): void {
          times.push(clock.now());
          super.pageCount(counts);
        }
      })();
      presence = new Presence(clock, timed, TEST_OPTIONS);
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      for (let t = 0; t < 2000; t += 10) {
        if (t % 20 === 0) presence.enterPage('s2', '/p');
        else presence.leavePage('s2', '/p');
        clock.advance(10);
      }
      presence.leavePage('s2', '/p');
      clock.advance(1000);
      expect(times.length).toBeGreaterThan(4);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(TEST_OPTIONS.countIntervalMs);
      // The last one is the truth.
      const sent = timed.of('page:count');
      expect(sent[sent.length - 1].counts).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    });

    it('tells a socket that subscribed mid-interval the return to the value last sent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.connect('w', anonymous('watcher1'));
      presence.enterPage('s1', '/p');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
      clock.advance(10);
      presence.enterPage('s2', '/p');
      clock.advance(10);
      // w is told 2 viewers, which its subscribers have not been sent yet.
      expect(presence.watchPages('w', ['/p'])).toMatchObject({ counts: [{ page: '/p', viewers: 2, connections: 2, active: 2 }] });
      clock.advance(10);
      presence.leavePage('s2', '/p');
      clock.advance(TEST_OPTIONS.countIntervalMs);
      // Back to the value last sent, but w must not be left believing 2.
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('tells a socket that entered mid-interval and stayed the return to the value last sent', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.connect('s3', anonymous('clientC'));
      presence.enterPage('s1', '/p');
      presence.enterPage('s2', '/p');
      clock.flush();
      sink.take();
      clock.advance(10);
      expect(presence.enterPage('s3', '/p')).toMatchObject({ viewers: 3 });
      clock.advance(10);
      presence.leavePage('s2', '/p');
      clock.advance(TEST_OPTIONS.countIntervalMs);
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 2, connections: 2, active: 2 } }]);
    });

    it('coalesces each page on its own', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/a');
      clock.flush();
      clock.advance(100);
      presence.enterPage('s1', '/b');
      clock.flush();
      expect(sink.take().map((e) => (e.type === 'page:count' ? e.counts.page : e.type))).toEqual(['/a', '/b']);
    });

    it('drops the entry of a page that went idle at 0 so memory does not grow', () => {
      presence.connect('s1', anonymous('clientA'));
      for (let i = 0; i < 500; i++) {
        presence.enterPage('s1', `/p${i}`);
        if (i % 2 === 0) presence.leavePage('s1', `/p${i}`); // same task: nothing to send
        clock.advance(1);
        presence.leavePage('s1', `/p${i}`);
      }
      expect(presence.sizes().pages).toBe(0);
      clock.advance(TEST_OPTIONS.countIntervalMs * 2);
      expect(presence.sizes()).toEqual({ connections: 1, visitors: 1, pages: 0, rooms: 0, held: 0 });
      expect(pageEntries(presence)).toBe(0);
      expect(clock.pendingTimers).toBe(0);
      // Every page that was announced ended at 0.
      const last = new Map<string, number>();
      for (const e of sink.of('page:count')) last.set(e.counts.page, e.counts.connections);
      expect(last.size).toBeGreaterThanOrEqual(250);
      expect([...last.values()].every((c) => c === 0)).toBe(true);
    });

    it('drops idle page entries after a grace expiry too, and counts again from 0 afterwards', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      presence.disconnect('s1');
      clock.advance(TEST_OPTIONS.graceMs + TEST_OPTIONS.countIntervalMs * 2);
      expect(pageEntries(presence)).toBe(0);
      expect(presence.sizes()).toEqual({ connections: 0, visitors: 0, pages: 0, rooms: 0, held: 0 });
      expect(sink.take().map((e) => e.type === 'page:count' && e.counts.viewers)).toEqual([1, 0]);
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s2', '/p');
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'page:count', counts: { page: '/p', viewers: 1, connections: 1, active: 1 } }]);
    });

    it('keeps the entry of a page that still has viewers', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      clock.advance(10_000);
      expect(pageEntries(presence)).toBe(1);
      expect(presence.sizes().pages).toBe(1);
    });
  });

  // ====================================================================== stats
  describe('stats', () => {
    it('counts online connections (held ones included) and distinct visitors', () => {
      expect(presence.stats()).toEqual({ online: { connections: 0, visitors: 0 }, top: [] });
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.connect('s3', user('laptop01', 'u1', 'Ann'));
      presence.connect('s4', user('phone001', 'u1', 'Ann'));
      expect(presence.stats().online).toEqual({ connections: 4, visitors: 3 });
      presence.enterPage('s1', '/p');
      presence.disconnect('s1');
      expect(presence.stats().online).toEqual({ connections: 4, visitors: 3 });
      presence.disconnect('s2');
      expect(presence.stats().online).toEqual({ connections: 3, visitors: 3 });
      clock.advance(TEST_OPTIONS.graceMs);
      expect(presence.stats().online).toEqual({ connections: 2, visitors: 2 });
    });

    it('lists the top 10 pages by viewers descending, then key ascending, without empty pages', () => {
      // 12 pages; /p<i> gets i viewers, /tie-a, /tie-b get 5 each.
      let n = 0;
      const view = (page: string, viewers: number) => {
        for (let v = 0; v < viewers; v++) {
          const id = `s${n++}`;
          presence.connect(id, anonymous(`client${id}`));
          presence.enterPage(id, page);
        }
      };
      for (let i = 1; i <= 10; i++) view(`/p${String(i).padStart(2, '0')}`, i);
      view('/tie-b', 5);
      view('/tie-a', 5);
      // Extra tabs and watchers do not add viewers.
      presence.connect('tab', anonymous('clients0'));
      presence.enterPage('tab', '/p01');
      presence.connect('w', anonymous('watcher1'));
      presence.watchPages('w', ['/p01', '/nobody']);
      expect(presence.stats().top).toEqual([
        { page: '/p10', viewers: 10 },
        { page: '/p09', viewers: 9 },
        { page: '/p08', viewers: 8 },
        { page: '/p07', viewers: 7 },
        { page: '/p06', viewers: 6 },
        { page: '/p05', viewers: 5 },
        { page: '/tie-a', viewers: 5 },
        { page: '/tie-b', viewers: 5 },
        { page: '/p04', viewers: 4 },
        { page: '/p03', viewers: 3 },
      ]);
      // Emptying pages removes them.
      presence.leavePage('s0', '/p01');
      presence.leavePage('tab', '/p01');
      for (let v = 0; v < 10; v++) presence.leavePage(`s${45 + v}`, '/p10');
      const top = presence.stats().top;
      expect(top).toHaveLength(10);
      expect(top.map((t) => t.page)).not.toContain('/p10');
      expect(top.map((t) => t.page)).not.toContain('/p01');
      expect(top[top.length - 1]).toEqual({ page: '/p02', viewers: 2 });
      expect(top.every((t) => t.viewers > 0)).toBe(true);
    });

    it('answers the current stats to stats:watch', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      expect(presence.watchStats('s1')).toEqual({
        ok: true,
        online: { connections: 1, visitors: 1 },
        top: [{ page: '/p', viewers: 1 }],
      });
      expect(presence.unwatchStats('s1')).toEqual({ ok: true });
    });

    it('announces stats at most once per statsIntervalMs while someone watches', () => {
      presence.connect('w', anonymous('watcher1'));
      presence.watchStats('w');
      clock.advance(5000);
      expect(sink.events).toEqual([]);

      presence.connect('s1', anonymous('clientA'));
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'stats', stats: { online: { connections: 2, visitors: 2 }, top: [] } }]);

      clock.advance(100);
      presence.enterPage('s1', '/p');
      clock.advance(100);
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s2', '/p');
      clock.advance(799);
      expect(sink.of('stats')).toEqual([]);
      clock.advance(1);
      expect(sink.of('stats')).toEqual([
        { type: 'stats', stats: { online: { connections: 3, visitors: 3 }, top: [{ page: '/p', viewers: 2 }] } },
      ]);
      sink.take();
      clock.advance(10_000);
      expect(sink.of('stats')).toEqual([]);

      // Once quiet for an interval, the next change goes out at once again;
      // a change of the top pages alone is a change.
      presence.leavePage('s2', '/p');
      clock.flush();
      expect(sink.of('stats')).toEqual([
        { type: 'stats', stats: { online: { connections: 3, visitors: 3 }, top: [{ page: '/p', viewers: 1 }] } },
      ]);
      sink.take();
      clock.advance(1000);
      presence.enterPage('s2', '/q');
      clock.flush();
      expect(sink.of('stats')).toEqual([
        {
          type: 'stats',
          stats: {
            online: { connections: 3, visitors: 3 },
            top: [
              { page: '/p', viewers: 1 },
              { page: '/q', viewers: 1 },
            ],
          },
        },
      ]);
    });

    it('does not announce stats that did not change', () => {
      presence.connect('w', anonymous('watcher1'));
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientA'));
      presence.watchStats('w');
      presence.enterPage('s1', '/p');
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(1);
      // Gone and back within one task.
      presence.connect('s3', anonymous('clientB'));
      presence.disconnect('s3');
      // Another tab on the page: no new viewer.
      presence.enterPage('s2', '/p');
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(1);

      // A change that is undone within the interval is not sent at its end.
      presence.connect('s4', anonymous('clientC'));
      clock.flush();
      expect(sink.of('stats')).toHaveLength(2);
      clock.advance(100);
      presence.connect('s5', anonymous('clientD'));
      clock.advance(100);
      presence.disconnect('s5');
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(2);
    });

    it('announces nothing while nobody watches', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.enterPage('s1', '/p');
      clock.advance(5000);
      expect(sink.of('stats')).toEqual([]);

      presence.connect('w', anonymous('watcher1'));
      presence.watchStats('w');
      presence.connect('s2', anonymous('clientB'));
      clock.advance(2000);
      expect(sink.of('stats')).toHaveLength(1);

      presence.unwatchStats('w');
      presence.connect('s3', anonymous('clientC'));
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(1);

      // A trailing edge due after the last watcher left is not sent.
      presence.watchStats('w');
      presence.connect('s5', anonymous('clientE'));
      clock.flush();
      expect(sink.of('stats')).toHaveLength(2);
      clock.advance(100);
      presence.connect('s6', anonymous('clientF'));
      clock.advance(100);
      presence.unwatchStats('w');
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(2);

      presence.watchStats('w');
      presence.disconnect('w');
      presence.connect('s4', anonymous('clientD'));
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(2);
    });

    it('counts each watcher once', () => {
      presence.connect('w1', anonymous('watcher1'));
      presence.connect('w2', anonymous('watcher2'));
      presence.watchStats('w1');
      presence.watchStats('w1');
      presence.watchStats('w2');
      presence.unwatchStats('w1');
      presence.unwatchStats('w1');
      // w2 still watches.
      presence.connect('s1', anonymous('clientA'));
      clock.flush();
      expect(sink.of('stats')).toHaveLength(1);
      presence.unwatchStats('w2');
      presence.connect('s2', anonymous('clientB'));
      clock.advance(5000);
      expect(sink.of('stats')).toHaveLength(1);
    });

    it('announces a change back to a value a watcher did not see when it started watching', () => {
      // Stats go out to w and are remembered as the last sent.
      presence.connect('w', anonymous('watcher1'));
      presence.watchStats('w');
      presence.connect('s1', anonymous('clientA'));
      clock.advance(2000);
      expect(sink.take().filter((e) => e.type === 'stats')).toHaveLength(1); // online 2/2
      presence.unwatchStats('w');

      // Nobody watches while the stats change.
      presence.connect('s2', anonymous('clientB'));
      clock.advance(2000);
      const ack = presence.watchStats('w');
      expect(ack).toMatchObject({ ok: true, online: { connections: 3, visitors: 3 } });

      // They change back to what was last sent before the watcher came back:
      // the watcher, which was told 3/3, must hear 2/2.
      presence.disconnect('s2');
      clock.advance(2000);
      expect(sink.of('stats')).toEqual([{ type: 'stats', stats: { online: { connections: 2, visitors: 2 }, top: [] } }]);
    });

    it('tells a watcher that started mid-interval the return to the stats last sent', () => {
      presence.connect('w1', anonymous('watcher1'));
      presence.watchStats('w1');
      presence.connect('s1', anonymous('clientA'));
      clock.flush();
      expect(sink.take()).toEqual([{ type: 'stats', stats: { online: { connections: 2, visitors: 2 }, top: [] } }]);
      clock.advance(100);
      presence.connect('w2', anonymous('watcher2'));
      // w2 is told 3/3, which w1 has not been sent.
      expect(presence.watchStats('w2')).toMatchObject({ online: { connections: 3, visitors: 3 } });
      clock.advance(100);
      presence.disconnect('s1');
      // Back to 2/2, the value last sent; w2 must not be left believing 3/3.
      clock.advance(TEST_OPTIONS.statsIntervalMs);
      expect(sink.of('stats')).toEqual([{ type: 'stats', stats: { online: { connections: 2, visitors: 2 }, top: [] } }]);
    });

    it('does not repeat the stats last sent because of a new watcher that was told the same', () => {
      presence.connect('w1', anonymous('watcher1'));
      presence.connect('w2', anonymous('watcher2'));
      presence.watchStats('w1');
      presence.connect('s1', anonymous('clientA'));
      clock.advance(TEST_OPTIONS.statsIntervalMs * 2);
      expect(sink.take()).toEqual([{ type: 'stats', stats: { online: { connections: 3, visitors: 3 }, top: [] } }]);
      // w2 is told 3/3, the value last sent.
      expect(presence.watchStats('w2')).toMatchObject({ online: { connections: 3, visitors: 3 } });
      // Gone and back within one task: nothing changed for anyone.
      presence.connect('s2', anonymous('clientB'));
      presence.disconnect('s2');
      clock.advance(TEST_OPTIONS.statsIntervalMs * 2);
      expect(sink.events).toEqual([]);
    });
  });

  // ==================================================================== dispose
  describe('without a sink (a cluster announces instead)', () => {
    it('answers every figure, runs no timer and keeps no page it does not need', () => {
      presence = new Presence(clock, null, { ...TEST_OPTIONS, rosterMax: 2 });
      presence.connect('w', anonymous('watcher1'));
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.connect('s3', anonymous('clientC'));
      expect(presence.watchStats('w')).toMatchObject({ online: { connections: 4, visitors: 4 } });
      expect(presence.enterPage('s1', '/p')).toEqual({ ok: true, page: '/p', viewers: 1, connections: 1, active: 1, subscribe: true });
      expect(presence.enterPage('s2', '/p')).toEqual({ ok: true, page: '/p', viewers: 2, connections: 2, active: 2, subscribe: true });
      for (const id of ['s1', 's2', 's3']) expect(presence.joinRoom(id, 'lobby')).toMatchObject({ ok: true });
      expect(presence.roster('lobby').total).toBe(3);
      expect(presence.updateProfile('s1', 'lobby', { status: 'away' })).toMatchObject({ ok: true, self: { status: 'away' } });
      expect(presence.stats().top).toEqual([{ page: '/p', viewers: 2 }]);
      expect(presence.leaveRoom('s3', 'lobby')).toEqual({ ok: true, room: 'lobby', unsubscribe: true });
      expect(presence.leavePage('s1', '/p')).toEqual({ ok: true, unsubscribe: true });
      expect(presence.leavePage('s2', '/p')).toEqual({ ok: true, unsubscribe: true });
      clock.flush();
      expect(clock.pendingTimers).toBe(0);
      expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 0, connections: 0, active: 0 });
      expect(presence.contributions().pages).toEqual([]);
      expect(presence.roster('lobby').total).toBe(2);
      expect(presence.stats().top).toEqual([]);
    });
  });

  describe('dispose', () => {
    it('stops every timer and sends nothing afterwards', () => {
      presence.connect('w', anonymous('watcher1'));
      presence.watchStats('w');
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s2', 'lobby');
      clock.flush();
      presence.enterPage('s2', '/p'); // pending trailing edge
      presence.enterPage('s2', '/q'); // queued leading edge
      presence.disconnect('s1'); // held for the grace period
      sink.take();
      expect(clock.pendingTimers).toBeGreaterThan(0);

      presence.dispose();
      expect(clock.pendingTimers).toBe(0);
      clock.advance(TEST_OPTIONS.graceMs * 10);
      expect(sink.events).toEqual([]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('starts no grace timer and announces nothing when sockets disconnect after dispose', () => {
      presence.connect('s1', anonymous('clientA'));
      presence.connect('s2', anonymous('clientB'));
      presence.enterPage('s1', '/p');
      presence.joinRoom('s1', 'lobby');
      presence.joinRoom('s2', 'lobby');
      settle();
      presence.dispose();
      // A server closing its sockets after the registry is disposed (Nest
      // runs onModuleDestroy before the gateway's sockets disconnect).
      presence.disconnect('s1');
      presence.disconnect('s2');
      clock.advance(TEST_OPTIONS.graceMs * 2);
      expect(sink.events).toEqual([]);
      expect(clock.pendingTimers).toBe(0);
    });
  });
});

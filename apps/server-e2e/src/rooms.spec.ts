import {
  barrier,
  clientId,
  connect,
  record,
  request,
  waitFor,
  useServer,
  get,
  key,
  userToken,
} from '@presently/testing';

const SECRET = 'rooms-e2e-secret-0123456789abcdef';

type Member = { userId: string; name: string; status: string; meta: Record<string, unknown>; connections: number; since: number };
type Joined = { room: string; member: Member };
type Left = { room: string; userId: string; reason: string };

const member = (fields: Partial<Member>) => expect.objectContaining(fields);

describe('rooms', () => {
  const server = useServer({ JWT_SECRET: SECRET, MAX_ROOMS_PER_SOCKET: '3' });

  const user = async (sub: string, claims: Record<string, unknown> = {}) =>
    connect(server.url, { clientId: clientId(`tab-${sub}`), token: await userToken(SECRET, sub, claims) });

  it('acks room:join with self and the members, the caller included, with the defaults', async () => {
    const room = key('room-ack');
    const before = Date.now();
    const { socket: a, session: sa } = await connect(server.url);
    const ackA = await request(a, 'room:join', { room });
    const after = Date.now();
    const selfA = { userId: sa.userId, name: 'Anonymous', status: 'online', meta: {}, connections: 1, since: expect.any(Number), activity: 'active' };
    expect(ackA).toEqual({ ok: true, room, self: selfA, members: [selfA], total: 1, typing: [] });
    expect(ackA.self.since).toBeGreaterThanOrEqual(before - 1000);
    expect(ackA.self.since).toBeLessThanOrEqual(after + 1000);

    const { socket: b, session: sb } = await connect(server.url);
    const profile = { name: 'Bea', status: 'away', meta: { color: 'teal', n: 2 } };
    const ackB = await request(b, 'room:join', { room, profile });
    const selfB = { userId: sb.userId, ...profile, connections: 1, since: expect.any(Number), activity: 'active' };
    expect(ackB).toEqual({ ok: true, room, self: selfB, members: expect.arrayContaining([{ ...selfA, since: ackA.self.since }, selfB]), total: 2, typing: [] });
    expect(ackB.members).toHaveLength(2);
  });

  it('treats joining again from the same socket as idempotent, a changed profile applied as an update', async () => {
    const room = key('room-rejoin');
    const { socket: observer } = await connect(server.url);
    const { socket: a, session } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const joined = record<Joined>(observer, 'room:joined');
    const updated = record<Joined>(observer, 'room:updated');
    const first = await request(a, 'room:join', { room, profile: { name: 'Ann' } });
    const again = await request(a, 'room:join', { room, profile: { name: 'Ann' } });
    expect(again).toEqual({ ...first });
    expect(again.members).toHaveLength(2);
    const renamed = waitFor<Joined>(observer, 'room:updated');
    const third = await request(a, 'room:join', { room, profile: { name: 'Annie' } });
    expect(third.self).toEqual({ ...first.self, name: 'Annie', connections: 1 });
    expect(await renamed).toEqual({ room, member: third.self });
    await barrier(observer);
    expect(joined).toEqual([{ room, member: first.self }]);
    expect(updated).toHaveLength(1);
    expect(session.userId).toBe(first.self.userId);
  });

  it('announces room:joined to the others only for the first socket of a user', async () => {
    const room = key('room-joined');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const joined = record<Joined>(observer, 'room:joined');

    const { socket: tab1 } = await user('ulla', { name: 'Ulla' });
    const tab1Joined = record<Joined>(tab1, 'room:joined');
    const first = waitFor<Joined>(observer, 'room:joined');
    const ack1 = await request(tab1, 'room:join', { room });
    expect(ack1.self).toEqual({ userId: 'ulla', name: 'Ulla', status: 'online', meta: {}, connections: 1, since: expect.any(Number), activity: 'active' });
    expect(await first).toEqual({ room, member: ack1.self });

    // The same user in a second tab (another browser, even): one member, two connections.
    const { socket: tab2 } = await user('ulla', { name: 'Ulla' });
    const ack2 = await request(tab2, 'room:join', { room });
    expect(ack2.self).toEqual({ ...ack1.self, connections: 2 });
    expect(ack2.members).toHaveLength(2);
    expect(ack2.members).toEqual(expect.arrayContaining([{ ...ack1.self, connections: 2 }, member({ userId: expect.any(String), connections: 1 })]));

    // Barrier: a third user's join is the next room:joined everyone sees.
    const { socket: third } = await user('theo');
    const thirdSeen = [observer, tab1, tab2].map((s) => waitFor<Joined>(s, 'room:joined', (p) => p.member.userId === 'theo'));
    await request(third, 'room:join', { room });
    await Promise.all(thirdSeen);
    expect(joined.map((j) => j.member.userId)).toEqual(['ulla', 'theo']);
    expect(tab1Joined.map((j) => j.member.userId)).toEqual(['theo']);

    const members = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(members.body.members.find((m: Member) => m.userId === 'ulla')).toEqual({ ...ack1.self, connections: 2 });
  });

  it('announces room:left only after the last socket of a user left, with reason leave, never to the leaver', async () => {
    const room = key('room-left');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const left = record<Left>(observer, 'room:left');
    const { socket: tab1 } = await user('lena');
    const { socket: tab2 } = await user('lena');
    await request(tab1, 'room:join', { room });
    await request(tab2, 'room:join', { room });
    const tab2Left = record<Left>(tab2, 'room:left');

    expect(await request(tab1, 'room:leave', { room })).toEqual({ ok: true, room });
    const stillThere = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(stillThere.body.members.find((m: Member) => m.userId === 'lena')).toEqual(member({ connections: 1 }));
    // Barrier on the observer: nothing was announced for the first tab.
    await barrier(observer);
    expect(left).toEqual([]);

    const gone = waitFor<Left>(observer, 'room:left');
    expect(await request(tab2, 'room:leave', { room })).toEqual({ ok: true, room });
    expect(await gone).toEqual({ room, userId: 'lena', reason: 'leave', duration: expect.any(Number) });
    // room:left went out before tab2's ack: had it been sent to tab2, it would be here.
    expect(tab2Left).toEqual([]);
    const after = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(after.body.members.map((m: Member) => m.userId)).not.toContain('lena');

    // Leaving again, or a room never joined, is ok and announces nothing.
    expect(await request(tab2, 'room:leave', { room })).toEqual({ ok: true, room });
    const never = key('room-never');
    expect(await request(tab2, 'room:leave', { room: never })).toEqual({ ok: true, room: never });
    await barrier(observer);
    expect(left).toHaveLength(1);
  });

  it('announces room:updated to the others, the user’s other tabs included, only on a real change', async () => {
    const room = key('room-updated');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const { socket: tab1 } = await user('uma');
    const { socket: tab2 } = await user('uma');
    await request(tab1, 'room:join', { room, profile: { status: 'online', meta: { x: 1 } } });
    await request(tab2, 'room:join', { room });
    const seenByObserver = record<Joined>(observer, 'room:updated');
    const seenByTab2 = record<Joined>(tab2, 'room:updated');
    const seenByTab1 = record<Joined>(tab1, 'room:updated');

    const busy = [observer, tab2].map((s) => waitFor<Joined>(s, 'room:updated'));
    const ack = await request(tab1, 'room:update', { room, profile: { status: 'busy' } });
    expect(ack).toEqual({
      ok: true,
      room,
      self: { userId: 'uma', name: 'uma', status: 'busy', meta: { x: 1 }, connections: 2, since: expect.any(Number), activity: 'active' },
    });
    for (const seen of await Promise.all(busy)) expect(seen).toEqual({ room, member: ack.self });

    // Unchanged and empty profiles: ok, nothing announced.
    expect(await request(tab1, 'room:update', { room, profile: { status: 'busy' } })).toEqual(ack);
    expect(await request(tab1, 'room:update', { room, profile: {} })).toEqual(ack);
    expect(await request(tab2, 'room:update', { room, profile: { meta: { x: 1 } } })).toEqual(ack);
    expect(await request(tab2, 'room:update', { room, profile: { name: 'Someone else' } })).toEqual(ack);
    // A rejoin of an already joined tab with the same profile announces nothing either.
    expect(await request(tab2, 'room:join', { room, profile: { status: 'busy' } })).toMatchObject({ ok: true, self: ack.self });

    // Barrier: the next real change is the next announcement.
    const away = [observer, tab2].map((s) => waitFor<Joined>(s, 'room:updated', (p) => p.member.status === 'away'));
    const awayAck = await request(tab1, 'room:update', { room, profile: { status: 'away', meta: { x: 2 } } });
    await Promise.all(away);
    expect(seenByObserver.map((u) => u.member)).toEqual([ack.self, awayAck.self]);
    expect(seenByTab2.map((u) => u.member)).toEqual([ack.self, awayAck.self]);
    // Never to the socket that caused it (sent before its ack, so it would be here).
    expect(seenByTab1).toEqual([]);

    // Another tab of the user joining with a different profile updates it.
    const { socket: tab3 } = await user('uma');
    const fromTab3 = waitFor<Joined>(tab1, 'room:updated');
    const tab3Ack = await request(tab3, 'room:join', { room, profile: { status: 'online' } });
    expect(tab3Ack.self).toEqual({ ...awayAck.self, status: 'online', connections: 3 });
    expect(await fromTab3).toEqual({ room, member: tab3Ack.self });
  });

  it('answers room:update for a room not joined with BAD_REQUEST', async () => {
    const room = key('room-not-joined');
    const { socket: a } = await connect(server.url);
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const updates = record<Joined>(observer, 'room:updated');
    const bad = { ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } };
    expect(await request(a, 'room:update', { room, profile: { status: 'busy' } })).toEqual(bad);
    await request(a, 'room:join', { room });
    await request(a, 'room:leave', { room });
    expect(await request(a, 'room:update', { room, profile: { status: 'busy' } })).toEqual(bad);
    await barrier(observer);
    expect(updates).toEqual([]);
    const members = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(members.body.members).toHaveLength(1);
  });

  it('takes an authenticated user’s name from the token and ignores a name in the payload', async () => {
    const room = key('room-name');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const updates = record<Joined>(observer, 'room:updated');

    const { socket: alice } = await user('alice', { name: 'Alice Liddell' });
    const joinAck = await request(alice, 'room:join', { room, profile: { name: 'Mallory', status: 'busy' } });
    expect(joinAck.self).toMatchObject({ userId: 'alice', name: 'Alice Liddell', status: 'busy' });
    const updateAck = await request(alice, 'room:update', { room, profile: { name: 'Eve' } });
    expect(updateAck).toEqual({ ok: true, room, self: joinAck.self });

    // Without a name claim, the name is the sub.
    const { socket: bob } = await user('bob');
    expect((await request(bob, 'room:join', { room, profile: { name: 'Robert' } })).self).toMatchObject({ userId: 'bob', name: 'bob' });

    // The ignored name was not a change: no room:updated (barrier: a real change).
    const real = waitFor<Joined>(observer, 'room:updated');
    await request(alice, 'room:update', { room, profile: { name: 'Eve', status: 'away' } });
    expect(await real).toEqual({ room, member: { ...joinAck.self, status: 'away' } });
    expect(updates).toHaveLength(1);
  });

  it('lets only authenticated users into private:* rooms', async () => {
    const room = `private:${key('team')}`;
    const { socket: anon } = await connect(server.url);
    const { socket: insider } = await user('ivy');
    expect(await request(insider, 'room:join', { room })).toMatchObject({ ok: true, room });
    const joined = record<Joined>(insider, 'room:joined');
    expect(await request(anon, 'room:join', { room, profile: { name: 'Sneaky' } })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
    await barrier(insider);
    expect(joined).toEqual([]);
    const token = await userToken(SECRET, 'ivy');
    const members = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`, { authorization: `Bearer ${token}` });
    expect(members.body.members.map((m: Member) => m.userId)).toEqual(['ivy']);
  });

  it('lets only users with role r into role:r and role:r:* rooms', async () => {
    const suffix = key('x');
    const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } };
    const { socket: anon } = await connect(server.url);
    const { socket: plain } = await user('pat');
    const { socket: editor } = await user('ed', { roles: ['editor'] });
    const { socket: admin } = await user('ada', { roles: ['editor', 'admin'] });
    for (const room of ['role:admin', `role:admin:ops-${suffix}`]) {
      for (const socket of [anon, plain, editor]) expect(await request(socket, 'room:join', { room })).toEqual(forbidden);
      expect(await request(admin, 'room:join', { room })).toMatchObject({ ok: true, room, self: { userId: 'ada' } });
    }
    // The role is the whole segment: "admin" does not open role:administrator.
    expect(await request(admin, 'room:join', { room: `role:administrator-${suffix}` })).toEqual(forbidden);
    expect(await request(editor, 'room:join', { room: `role:editor:${suffix}` })).toMatchObject({ ok: true });
    await request(admin, 'room:leave', { room: 'role:admin' });
  });

  it('refuses joining more than MAX_ROOMS_PER_SOCKET rooms with LIMIT_EXCEEDED and changes nothing', async () => {
    const rooms = [key('room-limit-a'), key('room-limit-b'), key('room-limit-c')];
    const extra = key('room-limit-d');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room: extra });
    const joined = record<Joined>(observer, 'room:joined');
    const { socket: a } = await connect(server.url);
    for (const room of rooms) expect(await request(a, 'room:join', { room })).toMatchObject({ ok: true });
    expect(await request(a, 'room:join', { room: extra })).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) },
    });
    // Joining a room it is in is not a new room.
    expect(await request(a, 'room:join', { room: rooms[0] })).toMatchObject({ ok: true });
    const members = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(extra)}`);
    expect(members.body.members).toHaveLength(1);
    await barrier(observer);
    expect(joined).toEqual([]);

    await request(a, 'room:leave', { room: rooms[2] });
    const next = waitFor<Joined>(observer, 'room:joined');
    expect(await request(a, 'room:join', { room: extra })).toMatchObject({ ok: true, room: extra });
    await next;
  });
});

import {
  barrier,
  clientId,
  closeAll,
  connect,
  record,
  request,
  startServer,
  waitFor,
  type RunningServer,
  counts,
  equals,
  get,
  key,
  metrics,
  pageCount,
  untilMetric,
  userToken,
} from '@presently/testing';

const SECRET = 'grace-e2e-secret-0123456789abcdef';
const GRACE_MS = 1500;

type Counts = { page: string; viewers: number; connections: number; active: number };
type Member = { userId: string; name: string; status: string; meta: Record<string, unknown>; connections: number; since: number };
type Joined = { room: string; member: Member };
type Left = { room: string; userId: string; reason: string };
type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };

describe('grace period', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ JWT_SECRET: SECRET, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });
  });
  afterEach(async () => {
    closeAll();
    // Every test starts on an empty server: wait until the held presences of the last one expired.
    await untilMetric(server.url, 'presently_connections', (n) => n === 0, GRACE_MS + 10_000);
  });
  afterAll(async () => {
    await server.stop();
  });

  const members = async (room: string): Promise<Member[]> =>
    (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;

  it('lets a returning socket with the same clientId take the held place: no left/joined, no dip, since kept', async () => {
    const page = key('/grace/reload');
    const room = key('grace-reload');
    const signal = key('grace-signal');
    const { socket: observer } = await connect(server.url, { clientId: clientId('observer') });
    const pageCounts = record<Counts>(observer, 'page:count');
    const joined = record<Joined>(observer, 'room:joined');
    const left = record<Left>(observer, 'room:left');
    await request(observer, 'page:enter', { page });
    await request(observer, 'room:join', { room });
    await request(observer, 'room:join', { room: signal });

    const cx = clientId('reloader');
    const { socket: x1, session: first } = await connect(server.url, { clientId: cx });
    // The member's public id (derived from cx, not cx itself).
    const ux = first.userId;
    const two = waitFor(observer, 'page:count', equals(counts(page, 2, 2)));
    await request(x1, 'page:enter', { page });
    const firstJoin = await request(x1, 'room:join', { room, profile: { name: 'Xavier', status: 'busy' } });
    await two;

    // Another visitor, in a side room only, that will not come back: its
    // room:left is the event that proves x1's grace would have run out too.
    const { socket: y } = await connect(server.url, { clientId: clientId('leaver') });
    const yAck = await request(y, 'room:join', { room: signal });

    x1.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    y.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 2);
    // Held: still counted.
    expect(await pageCount(server.url, page)).toEqual(counts(page, 2, 2));
    expect((await members(room)).find((m) => m.userId === ux)).toMatchObject({ connections: 1 });

    const yGone = waitFor<Left>(observer, 'room:left', (p) => p.room === signal, GRACE_MS + 5000);
    const { socket: x2, session } = await connect(server.url, { clientId: cx });
    expect(session.clientId).toBe(cx);
    expect(session.userId).toBe(ux);
    expect(await request(x2, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 2, active: 2 });
    const rejoin = await request(x2, 'room:join', { room, profile: { name: 'Xavier', status: 'busy' } });
    expect(rejoin.self).toEqual(firstJoin.self);
    expect(rejoin.self.since).toBe(firstJoin.self.since);
    expect(rejoin.members).toHaveLength(2);
    expect((await metrics(server.url)).presently_held_connections).toBe(1);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 2, 2));

    // y's grace runs out: by then x1's would have too.
    expect(await yGone).toEqual({ room: signal, userId: yAck.self.userId, reason: 'disconnect', duration: expect.any(Number) });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 2, 2));
    expect((await members(room)).find((m) => m.userId === ux)).toEqual(firstJoin.self);

    // Barrier: a later change on the page and the room.
    const { socket: b } = await connect(server.url);
    const three = waitFor(observer, 'page:count', equals(counts(page, 3, 3)));
    const bJoined = waitFor<Joined>(observer, 'room:joined', (p) => p.room === room && p.member.userId !== ux);
    await request(b, 'page:enter', { page });
    await request(b, 'room:join', { room });
    await Promise.all([three, bJoined]);

    expect(pageCounts).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3)]);
    expect(joined.filter((j) => j.room === room && j.member.userId === ux)).toHaveLength(1);
    expect(left).toEqual([{ room: signal, userId: yAck.self.userId, reason: 'disconnect', duration: expect.any(Number) }]);
  });

  it('lets an authenticated user return in a new socket with the same clientId, the held place taken', async () => {
    const room = key('grace-user');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const joined = record<Joined>(observer, 'room:joined');
    const left = record<Left>(observer, 'room:left');
    const cx = clientId('laptop');
    const token = await userToken(SECRET, 'gwen');
    const { socket: x1 } = await connect(server.url, { clientId: cx, token });
    const first = await request(x1, 'room:join', { room });
    x1.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    const { socket: x2 } = await connect(server.url, { clientId: cx, token });
    const again = await request(x2, 'room:join', { room });
    expect(again.self).toEqual(first.self);
    expect((await metrics(server.url)).presently_held_connections).toBe(0);
    await barrier(observer);
    expect(joined.map((j) => j.member.userId)).toEqual(['gwen']);
    expect(left).toEqual([]);
  });

  it('does not let a socket with the same clientId but another user take the held place', async () => {
    const page = key('/grace/other-user');
    const room = key('grace-other-user');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'page:enter', { page });
    await request(observer, 'room:join', { room });
    const cx = clientId('shared');
    const { socket: x1, session: anon } = await connect(server.url, { clientId: cx });
    const two = waitFor(observer, 'page:count', equals(counts(page, 2, 2)));
    await request(x1, 'page:enter', { page });
    await request(x1, 'room:join', { room });
    await two;
    x1.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);

    // Same browser, now signed in: another user, so a new presence beside the held one.
    const { socket: x2 } = await connect(server.url, { clientId: cx, token: await userToken(SECRET, 'zed') });
    const rise = waitFor(observer, 'page:count', equals(counts(page, 2, 3)));
    const zedJoined = waitFor<Joined>(observer, 'room:joined');
    expect(await request(x2, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 3, active: 2 });
    await request(x2, 'room:join', { room });
    await rise;
    expect((await zedJoined).member).toMatchObject({ userId: 'zed', connections: 1 });

    // The anonymous presence ends when its grace runs out.
    const anonLeft = waitFor<Left>(observer, 'room:left', () => true, GRACE_MS + 5000);
    const fall = waitFor(observer, 'page:count', equals(counts(page, 2, 2)), GRACE_MS + 5000);
    expect(await anonLeft).toEqual({ room, userId: anon.userId, reason: 'disconnect', duration: expect.any(Number) });
    await fall;
  });

  it('ends a held presence when the grace runs out: room:left with reason disconnect, and the new count', async () => {
    const page = key('/grace/expiry');
    const room = key('grace-expiry');
    const { socket: observer } = await connect(server.url);
    const pageCounts = record<Counts>(observer, 'page:count');
    await request(observer, 'page:enter', { page });
    await request(observer, 'room:join', { room });
    const { socket: x, session } = await connect(server.url, { clientId: clientId('gone') });
    const two = waitFor(observer, 'page:count', equals(counts(page, 2, 2)));
    await request(x, 'page:enter', { page });
    await request(x, 'room:join', { room });
    await two;

    const leftEvent = waitFor<Left>(observer, 'room:left', () => true, GRACE_MS + 5000);
    const one = waitFor(observer, 'page:count', equals(counts(page, 1, 1)), GRACE_MS + 5000);
    x.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 2, 2));
    expect(await leftEvent).toEqual({ room, userId: session.userId, reason: 'disconnect', duration: expect.any(Number) });
    await one;
    expect(pageCounts).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 1, 1)]);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    expect((await members(room)).map((m) => m.userId)).not.toContain(session.userId);
    expect((await metrics(server.url)).presently_held_connections).toBe(0);
  });

  it('applies an explicit leave at once, and holds nothing after it', async () => {
    const page = key('/grace/leave');
    const room = key('grace-leave');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'page:enter', { page });
    await request(observer, 'room:join', { room });
    const left = record<Left>(observer, 'room:left');
    const { socket: x, session } = await connect(server.url);
    await request(x, 'page:enter', { page });
    await request(x, 'room:join', { room });

    expect(await request(x, 'page:leave', { page })).toEqual({ ok: true, page });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    const leftEvent = waitFor<Left>(observer, 'room:left');
    expect(await request(x, 'room:leave', { room })).toEqual({ ok: true, room });
    expect(await leftEvent).toEqual({ room, userId: session.userId, reason: 'leave', duration: expect.any(Number) });
    expect((await members(room)).map((m) => m.userId)).not.toContain(session.userId);

    // Disconnecting afterwards: nothing is held, it is gone at once.
    x.disconnect();
    await untilMetric(server.url, 'presently_connections', (n) => n === 1);
    expect((await metrics(server.url)).presently_held_connections).toBe(0);
    await barrier(observer);
    expect(left).toHaveLength(1);
  });

  it('counts held connections in stats online until the grace runs out', async () => {
    const page = key('/grace/stats');
    const { socket: watcher, session: ws } = await connect(server.url);
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, online: { connections: 1, visitors: 1 }, top: [] });

    const cx = clientId('stats-held');
    const { socket: x1 } = await connect(server.url, { clientId: cx });
    const entered = waitFor<Stats>(watcher, 'stats', equals({ online: { connections: 2, visitors: 2 }, top: [{ page, viewers: 1 }] }));
    await request(x1, 'page:enter', { page });
    await entered;

    x1.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    expect((await get(server.url, '/api/stats')).body).toEqual({ online: { connections: 2, visitors: 2 }, top: [{ page, viewers: 1 }] });

    // Back, but entering nothing: the held one keeps counting beside it.
    const returned = waitFor<Stats>(watcher, 'stats', (s) => s.online.connections === 3);
    await connect(server.url, { clientId: cx });
    expect(await returned).toEqual({ online: { connections: 3, visitors: 2 }, top: [{ page, viewers: 1 }] });

    const expired = waitFor<Stats>(watcher, 'stats', (s) => s.online.connections === 2, GRACE_MS + 5000);
    expect(await expired).toEqual({ online: { connections: 2, visitors: 2 }, top: [] });
    expect((await metrics(server.url)).presently_held_connections).toBe(0);
    expect(ws.clientId).not.toBe(cx);
  });
});

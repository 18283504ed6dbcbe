import { clientId, connect, get, key, request, until, untilMetric, useServer, userToken, waitFor, type TestSocket } from '@presently/testing';

/**
 * "Time present, and who just left" (protocol 1.1) through real sockets
 * against the built server, one process: `room:left` carries `duration`,
 * `room:recent` and `GET /api/rooms/recent` list who left in the last
 * `RECENT_MS` and is not back, most recent first, with the room's access
 * rules; a member whose grace ran out is recorded then, present until its
 * disconnect.
 */

const SECRET = 'recent-e2e-secret-0123456789abcdef';
const GRACE_MS = 1500;
/** A timer may fire a few milliseconds early by the wall clock. */
const TIMER_SLACK_MS = 10;

type Leaver = { userId: string; name: string; leftAt: number; duration: number };
type Left = { room: string; userId: string; reason: string; duration: number };

describe('recent leavers and time present (one process)', () => {
  const server = useServer({ JWT_SECRET: SECRET, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

  const user = async (sub: string, roles: string[] = []) =>
    (await connect(server.url, { clientId: clientId(`tab-${sub}`), token: await userToken(SECRET, sub, { roles }) })).socket;
  const recent = (socket: TestSocket, room: string) => request(socket, 'room:recent', { room });
  const recentOverHttp = (room: string, headers: Record<string, string> = {}) => get(server.url, `/api/rooms/recent?room=${encodeURIComponent(room)}`, headers);

  it('lists who left, most recent first, with name, leftAt and duration as room:left told them; a rejoin takes one off', async () => {
    const room = key('recent-list');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const { socket: ann, session: annSession } = await connect(server.url);
    const { socket: bob, session: bobSession } = await connect(server.url);
    const before = Date.now();
    const annAck = await request(ann, 'room:join', { room, profile: { name: 'Ann' } });
    await request(bob, 'room:join', { room, profile: { name: 'Bob' } });

    const annLeft = waitFor<Left>(observer, 'room:left', (e) => e.userId === annSession.userId);
    await request(ann, 'room:leave', { room });
    const bobLeft = waitFor<Left>(observer, 'room:left', (e) => e.userId === bobSession.userId);
    await request(bob, 'room:leave', { room });
    const after = Date.now();
    const [annEvent, bobEvent] = [await annLeft, await bobLeft];
    for (const event of [annEvent, bobEvent]) {
      expect(event).toEqual({ room, userId: expect.any(String), reason: 'leave', duration: expect.any(Number) });
      expect(event.duration).toBeGreaterThanOrEqual(0);
      expect(event.duration).toBeLessThanOrEqual(after - before);
    }

    const answer = await recent(observer, room);
    expect(answer).toEqual({
      ok: true,
      room,
      recent: [
        { userId: bobSession.userId, name: 'Bob', leftAt: expect.any(Number), duration: bobEvent.duration },
        { userId: annSession.userId, name: 'Ann', leftAt: annAck.self.since + annEvent.duration, duration: annEvent.duration },
      ],
    });
    for (const leaver of answer.recent as Leaver[]) {
      expect(leaver.leftAt).toBeGreaterThanOrEqual(before);
      expect(leaver.leftAt).toBeLessThanOrEqual(after);
    }
    expect(answer.recent[0].leftAt).toBeGreaterThanOrEqual(answer.recent[1].leftAt);
    // The HTTP view answers the same.
    expect(await recentOverHttp(room)).toMatchObject({ status: 200, body: { room, recent: answer.recent } });

    // Ann is back: she is no recent leaver any more.
    await request(ann, 'room:join', { room });
    expect((await recent(observer, room)).recent.map((l: Leaver) => l.userId)).toEqual([bobSession.userId]);
    // A room nobody left lists nobody; the asker need not be a member.
    const { socket: stranger } = await connect(server.url);
    expect(await recent(stranger, key('recent-quiet'))).toEqual({ ok: true, room: expect.any(String), recent: [] });
  });

  it('records a member whose grace ran out when it runs out, present until its disconnect', async () => {
    const room = key('recent-grace');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const { socket: gone, session } = await connect(server.url);
    const ack = await request(gone, 'room:join', { room, profile: { name: 'Gone' } });
    let heardAt = 0;
    const left = waitFor<Left>(observer, 'room:left', (e) => e.userId === session.userId && (heardAt = Date.now()) > 0, GRACE_MS + 5000);
    const disconnecting = Date.now();
    gone.disconnect();
    // Held for its grace period: it has not left yet.
    expect((await recent(observer, room)).recent).toEqual([]);

    const event = await left;
    expect(event).toEqual({ room, userId: session.userId, reason: 'disconnect', duration: expect.any(Number) });
    const [leaver] = (await recent(observer, room)).recent as Leaver[];
    expect(leaver).toEqual({ userId: session.userId, name: 'Gone', leftAt: expect.any(Number), duration: event.duration });
    // Present until its disconnect (after this test asked for it, a grace period before room:left came), not until the end of its grace...
    const presentUntil = ack.self.since + event.duration;
    expect(presentUntil).toBeGreaterThanOrEqual(disconnecting);
    expect(presentUntil).toBeLessThanOrEqual(heardAt - GRACE_MS + TIMER_SLACK_MS);
    // ...and gone when its grace ran out, as room:left said.
    expect(leaver.leftAt).toBeGreaterThanOrEqual(presentUntil + GRACE_MS - TIMER_SLACK_MS);
    expect(leaver.leftAt).toBeLessThanOrEqual(heardAt);
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 0);
  });

  it('applies the room access rules, over the socket as for a join and over HTTP as for rooms/members', async () => {
    const [priv, roleRoom] = [key('private:recent'), key('role:ops:recent')];
    const olga = await user('olga', ['ops']);
    const pete = await user('pete');
    for (const room of [priv, roleRoom]) {
      await request(olga, 'room:join', { room });
      await request(pete, 'room:join', { room });
    }
    await request(pete, 'room:leave', { room: priv });
    const { socket: anonymous } = await connect(server.url);
    const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } };

    expect(await recent(anonymous, priv)).toEqual(forbidden);
    expect(await recent(anonymous, roleRoom)).toEqual(forbidden);
    expect(await recent(pete, roleRoom)).toEqual(forbidden);
    expect(await recent(olga, priv)).toEqual({ ok: true, room: priv, recent: [expect.objectContaining({ userId: 'pete', name: 'pete' })] });
    expect(await recent(pete, priv)).toMatchObject({ ok: true, recent: [{ userId: 'pete' }] });
    expect(await recent(olga, roleRoom)).toEqual({ ok: true, room: roleRoom, recent: [] });

    const bearer = async (sub: string, roles: string[] = []) => ({ authorization: `Bearer ${await userToken(SECRET, sub, { roles })}` });
    expect(await recentOverHttp(priv)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(await recentOverHttp(priv, { authorization: 'Bearer not-a-token' })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(await recentOverHttp(roleRoom, await bearer('pete'))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await recentOverHttp(priv, await bearer('pete'))).toMatchObject({ status: 200, body: { room: priv, recent: [{ userId: 'pete' }] } });
    expect(await recentOverHttp(roleRoom, await bearer('olga', ['ops']))).toEqual(expect.objectContaining({ status: 200, body: { room: roleRoom, recent: [] } }));
    expect((await get(server.url, '/api/rooms/recent')).status).toBe(400);
    expect((await recentOverHttp('')).status).toBe(400);
    expect((await recentOverHttp('a\u0000b')).status).toBe(400);
  });
});

describe('who left ages out (RECENT_MS 1000)', () => {
  const server = useServer({ RECENT_MS: '1000', COUNT_INTERVAL_MS: '50' });

  it('lists a leaver only for RECENT_MS after its leave', async () => {
    const room = key('recent-window');
    const { socket: leaver, session } = await connect(server.url);
    await request(leaver, 'room:join', { room });
    await request(leaver, 'room:leave', { room });
    const { socket: reader } = await connect(server.url);
    const listed = await request(reader, 'room:recent', { room });
    expect(listed.recent.map((l: Leaver) => l.userId)).toEqual([session.userId]);
    // Waiting for a state no event announces: the leave growing older than RECENT_MS.
    await until(async () => (await request(reader, 'room:recent', { room })).recent.length === 0, 'the leaver aged out', 10_000);
    // Never before RECENT_MS (the server's clock is this machine's).
    expect(Date.now()).toBeGreaterThanOrEqual(listed.recent[0].leftAt + 1000);
  });
});

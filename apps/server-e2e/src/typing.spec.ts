import { barrier, clientId, connect, key, request, untilMetric, useServer, userToken, waitFor, type TestSocket } from '@presently/testing';
import { type Member, membersOn, roomLog, type Typing, typingOf } from './support/rooms';

/**
 * `room:typing` (protocol 1.1, "Typing") through real sockets against the
 * built server, one process: a member types while any of its sockets does;
 * its start and stop reach the room's other sockets (its other tabs
 * included, never the socket that caused it), a renewal announces nothing,
 * and typing ends by itself `TYPING_MS` after the last `typing: true`, on
 * `typing: false`, on leave, and when the socket's grace starts.
 */

const SECRET = 'typing-e2e-secret-0123456789abcdef';
const GRACE_MS = 1500;

describe('typing (one process)', () => {
  const server = useServer({ JWT_SECRET: SECRET, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

  const user = async (sub: string) => (await connect(server.url, { clientId: clientId(`tab-${sub}`), token: await userToken(SECRET, sub) })).socket;

  async function joined(socket: TestSocket, room: string) {
    const ack = await request(socket, 'room:join', { room });
    expect(ack.ok).toBe(true);
    return ack as { ok: true; typing: string[]; members: Member[] };
  }

  it('announces a start to the room’s other sockets, the typer’s other tab included, not to its own; a renewal is no news', async () => {
    const room = key('typing-start');
    const [ann1, ann2, bob, cat] = [await user('ann'), await user('ann'), await user('bob'), await user('cat')];
    for (const socket of [ann1, ann2, bob, cat]) await joined(socket, room);
    const [logAnn1, logAnn2, logBob] = [ann1, ann2, bob].map((socket) => roomLog(socket));

    const bobHears = waitFor<Typing>(bob, 'room:typing', typingOf(room, 'ann', true));
    const otherTabHears = waitFor<Typing>(ann2, 'room:typing', typingOf(room, 'ann', true));
    expect(await request(ann1, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    expect(await bobHears).toEqual({ room, userId: 'ann', typing: true });
    await otherTabHears;

    // Renewals, from the same tab and from the other one: acked, and nothing goes out.
    expect(await request(ann1, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    expect(await request(ann2, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    // Cat starting is the next thing Bob hears: had a renewal been announced, it would have come first.
    const catSeen = waitFor<Typing>(bob, 'room:typing', typingOf(room, 'cat', true));
    expect(await request(cat, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    await catSeen;
    expect(logBob).toEqual([
      ['room:typing', { room, userId: 'ann', typing: true }],
      ['room:typing', { room, userId: 'cat', typing: true }],
    ]);

    // A newcomer's join ack lists who types now.
    const dan = await user('dan');
    expect((await joined(dan, room)).typing).toEqual(['ann', 'cat']);

    // One tab stops: the other still types, no news. The last one stops: everyone but it hears it, the first tab included.
    expect(await request(ann1, 'room:typing', { room, typing: false })).toEqual({ ok: true });
    const stopAtAnn1 = waitFor<Typing>(ann1, 'room:typing', typingOf(room, 'ann', false));
    const stopAtBob = waitFor<Typing>(bob, 'room:typing', typingOf(room, 'ann', false));
    expect(await request(ann2, 'room:typing', { room, typing: false })).toEqual({ ok: true });
    await Promise.all([stopAtAnn1, stopAtBob]);
    await barrier(ann2);
    // The typer's own sockets never heard their own start; the second tab, whose stop it was, not the stop either.
    expect(logAnn1.filter(([, e]) => e.userId === 'ann')).toEqual([['room:typing', { room, userId: 'ann', typing: false }]]);
    expect(logAnn2.filter(([, e]) => e.userId === 'ann')).toEqual([['room:typing', { room, userId: 'ann', typing: true }]]);
    expect((await joined(await user('eve'), room)).typing).toEqual(['cat']);
  });

  it('ends on leave, announced before the leave, and when the socket’s grace starts, long before its room:left', async () => {
    const room = key('typing-leave');
    const [obs, bob, cat] = [await user('obs'), await user('bob'), await user('cat')];
    for (const socket of [obs, bob, cat]) await joined(socket, room);
    const log = roomLog(obs);

    await request(bob, 'room:typing', { room, typing: true });
    const bobLeft = waitFor(obs, 'room:left', (e: { userId: string }) => e.userId === 'bob');
    expect(await request(bob, 'room:leave', { room })).toEqual({ ok: true, room });
    await bobLeft;
    expect(log.map(([event, e]) => [event, e.userId, e.typing])).toEqual([
      ['room:typing', 'bob', true],
      ['room:typing', 'bob', false],
      ['room:left', 'bob', undefined],
    ]);
    // Not a member any more: typing there is refused.
    expect(await request(bob, 'room:typing', { room, typing: true })).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });

    await request(cat, 'room:typing', { room, typing: true });
    const catStops = waitFor<Typing>(obs, 'room:typing', typingOf(room, 'cat', false));
    cat.disconnect();
    await catStops;
    // The stop came when the grace started: Cat is still a member, held.
    expect((await membersOn(server.url, room)).map((m) => m.userId)).toContain('cat');
    await waitFor(obs, 'room:left', (e: { userId: string }) => e.userId === 'cat', GRACE_MS + 5000);
    expect(log.slice(3).map(([event, e]) => [event, e.userId, e.typing])).toEqual([
      ['room:typing', 'cat', true],
      ['room:typing', 'cat', false],
      ['room:left', 'cat', undefined],
    ]);
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 0);
  });

  it('refuses a room the socket has not joined with BAD_REQUEST, and announces nothing', async () => {
    const room = key('typing-refused');
    const [member, stranger] = [await user('member'), await user('stranger')];
    await joined(member, room);
    const log = roomLog(member);
    const refused = { ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } };
    expect(await request(stranger, 'room:typing', { room, typing: true })).toEqual(refused);
    expect(await request(stranger, 'room:typing', { room, typing: false })).toEqual(refused);
    await barrier(member);
    expect(log).toEqual([]);
    expect((await joined(await user('late'), room)).typing).toEqual([]);
  });
});

describe('typing ends by itself (TYPING_MS 300)', () => {
  const server = useServer({ TYPING_MS: '300', COUNT_INTERVAL_MS: '50' });

  it('TYPING_MS after the last typing: true, to everyone but the typer', async () => {
    const room = key('typing-expiry');
    const { socket: typer, session } = await connect(server.url);
    const { socket: reader } = await connect(server.url);
    for (const socket of [typer, reader]) expect((await request(socket, 'room:join', { room })).ok).toBe(true);
    const typerLog = roomLog(typer);
    const started = waitFor<Typing>(reader, 'room:typing', typingOf(room, session.userId, true));
    await request(typer, 'room:typing', { room, typing: true });
    await started;
    expect(await waitFor<Typing>(reader, 'room:typing', typingOf(room, session.userId, false), 10_000)).toEqual({ room, userId: session.userId, typing: false });
    const { socket: late } = await connect(server.url);
    expect((await request(late, 'room:join', { room })).typing).toEqual([]);
    await barrier(typer);
    expect(typerLog.filter(([event]) => event === 'room:typing')).toEqual([]);
  });
});

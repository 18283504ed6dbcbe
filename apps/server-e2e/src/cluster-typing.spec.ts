import {
  barrier,
  clientId,
  connect,
  get,
  key,
  request,
  untilMetric,
  useCluster,
  userToken,
  waitFor,
  type RunningRedis,
  type TestSocket,
} from '@presently/testing';
import { roomLog, type Typing, typingOf } from './support/rooms';

/**
 * Typing and recent leavers across two real server processes sharing one
 * real redis-server: a member types while any of its sockets does on any
 * process, each start and stop is announced once (decided by the script
 * that flips it), the typer's other tab on the other process hears it and
 * its own socket does not; who left is recorded once, wherever the last
 * connection left, and read from any process.
 */

const SECRET = 'cluster-typing-secret-0123456789abcdef';
const GRACE_MS = 1500;
/** A timer may fire a few milliseconds early by the wall clock. */
const TIMER_SLACK_MS = 10;

type Left = { room: string; userId: string; reason: string; duration: number };
type Leaver = { userId: string; name: string; leftAt: number; duration: number };

const clusterEnv = (redis: RunningRedis) => ({ REDIS_URL: redis.url, JWT_SECRET: SECRET, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

/** The room events `socket` receives, in the order it receives them: typing, and who left. */
const typingLog = (socket: TestSocket) => roomLog(socket, ['room:typing', 'room:left']);

async function user(url: string, sub: string): Promise<TestSocket> {
  return (await connect(url, { clientId: clientId(`tab-${sub}`), token: await userToken(SECRET, sub) })).socket;
}

async function join(socket: TestSocket, room: string) {
  const ack = await request(socket, 'room:join', { room });
  expect(ack.ok).toBe(true);
  return ack as { ok: true; typing: string[]; self: { since: number } };
}

describe('typing across processes', () => {
  const cluster = useCluster(2, clusterEnv);
  const { servers } = cluster;

  it('is decided once for the cluster: the other process’s sockets and the typer’s other tab hear it, not the typer; a renewal is no news', async () => {
    const room = key('cluster-typing');
    const [a, b] = servers;
    const ann1 = await user(a.url, 'ann');
    const ann2 = await user(b.url, 'ann');
    const bob = await user(b.url, 'bob');
    const cat = await user(a.url, 'cat');
    for (const socket of [ann1, ann2, bob, cat]) await join(socket, room);
    const [logAnn1, logAnn2, logBob, logCat] = [ann1, ann2, bob, cat].map(typingLog);

    const heard = [bob, ann2, cat].map((socket) => waitFor<Typing>(socket, 'room:typing', typingOf(room, 'ann', true)));
    expect(await request(ann1, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    await Promise.all(heard);

    // Renewals on both processes: Ann already types, nothing goes out.
    expect(await request(ann1, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    expect(await request(ann2, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    // A later start, decided after the renewals were applied, is the next thing everyone hears.
    const catSeen = [bob, ann1, ann2].map((socket) => waitFor<Typing>(socket, 'room:typing', typingOf(room, 'cat', true)));
    await request(cat, 'room:typing', { room, typing: true });
    await Promise.all(catSeen);
    expect(logBob).toEqual([
      ['room:typing', { room, userId: 'ann', typing: true }],
      ['room:typing', { room, userId: 'cat', typing: true }],
    ]);
    // Join acks on either process list who types, wherever they type.
    for (const server of servers) expect((await join(await user(server.url, `late-${server.port}`), room)).typing.sort()).toEqual(['ann', 'cat']);

    // The first tab stops: the other (on the other process) still types. Then it stops too: one stop for everyone but it.
    await request(ann1, 'room:typing', { room, typing: false });
    const stops = [bob, ann1, cat].map((socket) => waitFor<Typing>(socket, 'room:typing', typingOf(room, 'ann', false)));
    await request(ann2, 'room:typing', { room, typing: false });
    await Promise.all(stops);
    for (const socket of [ann1, ann2, bob, cat]) await barrier(socket);
    expect(logAnn1.filter(([, e]) => e.userId === 'ann')).toEqual([['room:typing', { room, userId: 'ann', typing: false }]]);
    expect(logAnn2.filter(([, e]) => e.userId === 'ann')).toEqual([['room:typing', { room, userId: 'ann', typing: true }]]);
    expect(logBob.filter(([, e]) => e.userId === 'ann')).toHaveLength(2);
    expect(logCat.filter(([, e]) => e.userId === 'ann')).toHaveLength(2);
    expect((await join(await user(b.url, 'last'), room)).typing).toEqual(['cat']);
  });

  it('ends on leave, announced before the leave, and when the grace starts, everywhere', async () => {
    const room = key('cluster-typing-leave');
    const [a, b] = servers;
    const obs = await user(b.url, 'obs');
    const dan = await user(a.url, 'dan');
    const eve = await user(a.url, 'eve');
    for (const socket of [obs, dan, eve]) await join(socket, room);
    const log = typingLog(obs);

    await request(dan, 'room:typing', { room, typing: true });
    const danLeft = waitFor<Left>(obs, 'room:left', (e) => e.userId === 'dan');
    await request(dan, 'room:leave', { room });
    await danLeft;
    expect(log.map(([event, e]) => [event, e.userId, e.typing])).toEqual([
      ['room:typing', 'dan', true],
      ['room:typing', 'dan', false],
      ['room:left', 'dan', undefined],
    ]);
    expect(await request(dan, 'room:typing', { room, typing: true })).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });

    await request(eve, 'room:typing', { room, typing: true });
    const eveStops = waitFor<Typing>(obs, 'room:typing', typingOf(room, 'eve', false));
    eve.disconnect();
    await eveStops;
    await waitFor<Left>(obs, 'room:left', (e) => e.userId === 'eve', GRACE_MS + 5000);
    expect(log.slice(3).map(([event, e]) => [event, e.userId, e.typing])).toEqual([
      ['room:typing', 'eve', true],
      ['room:typing', 'eve', false],
      ['room:left', 'eve', undefined],
    ]);
    await untilMetric(a.url, 'presently_held_connections', (n) => n === 0);
  });

  it('records who left once, wherever the last connection left, readable from every process until the member is back', async () => {
    const room = key('cluster-recent');
    const [a, b] = servers;
    const obs = await user(b.url, 'obs');
    await join(obs, room);
    // Fay has a tab on each process; the leave is the second tab's.
    const fay1 = await user(a.url, 'fay');
    const fay2 = await user(b.url, 'fay');
    const before = Date.now();
    const ack = await join(fay1, room);
    await join(fay2, room);
    await request(fay1, 'room:leave', { room });
    expect((await request(obs, 'room:recent', { room })).recent).toEqual([]);
    const left = waitFor<Left>(obs, 'room:left', (e) => e.userId === 'fay');
    await request(fay2, 'room:leave', { room });
    const after = Date.now();
    const event = await left;
    expect(event).toEqual({ room, userId: 'fay', reason: 'leave', duration: expect.any(Number) });
    expect(event.duration).toBeGreaterThanOrEqual(0);
    expect(event.duration).toBeLessThanOrEqual(after - before);

    const expected: Leaver = { userId: 'fay', name: 'fay', leftAt: ack.self.since + event.duration, duration: event.duration };
    for (const server of servers) {
      const reader = await user(server.url, `reader-${server.port}`);
      expect(await request(reader, 'room:recent', { room })).toEqual({ ok: true, room, recent: [expected] });
      expect((await get(server.url, `/api/rooms/recent?room=${encodeURIComponent(room)}`)).body).toEqual({ room, recent: [expected] });
    }

    // A held connection whose grace runs out on one process is recorded once, then, present until its disconnect.
    const { socket: gus, session } = await connect(a.url);
    const gusAck = await join(gus, room);
    let heardAt = 0;
    const gusLeft = waitFor<Left>(obs, 'room:left', (e) => e.userId === session.userId && (heardAt = Date.now()) > 0, GRACE_MS + 5000);
    const disconnecting = Date.now();
    gus.disconnect();
    const gusEvent = await gusLeft;
    const listed = (await request(obs, 'room:recent', { room })).recent as Leaver[];
    expect(listed.map((l) => l.userId)).toEqual([session.userId, 'fay']);
    expect(listed[0].duration).toBe(gusEvent.duration);
    const presentUntil = gusAck.self.since + gusEvent.duration;
    expect(presentUntil).toBeGreaterThanOrEqual(disconnecting);
    expect(presentUntil).toBeLessThanOrEqual(heardAt - GRACE_MS + TIMER_SLACK_MS);
    expect(listed[0].leftAt).toBeGreaterThanOrEqual(presentUntil + GRACE_MS - TIMER_SLACK_MS);
    expect(listed[0].leftAt).toBeLessThanOrEqual(heardAt);

    // Fay is back, through the other process: no longer listed anywhere.
    await join(await user(a.url, 'fay'), room);
    for (const server of servers) {
      expect((await get<{ recent: Leaver[] }>(server.url, `/api/rooms/recent?room=${encodeURIComponent(room)}`)).body.recent.map((l) => l.userId)).toEqual([session.userId]);
    }
  });
});

describe('typing ends by itself across processes (TYPING_MS 300)', () => {
  const cluster = useCluster(2, (redis) => ({ ...clusterEnv(redis), TYPING_MS: '300' }));

  it('TYPING_MS after the last typing: true, heard on the other process', async () => {
    const room = key('cluster-typing-expiry');
    const [a, b] = cluster.servers;
    const typer = await user(a.url, 'hal');
    const reader = await user(b.url, 'ida');
    for (const socket of [typer, reader]) await join(socket, room);
    const started = waitFor<Typing>(reader, 'room:typing', typingOf(room, 'hal', true));
    await request(typer, 'room:typing', { room, typing: true });
    await started;
    expect(await waitFor<Typing>(reader, 'room:typing', typingOf(room, 'hal', false), 10_000)).toEqual({ room, userId: 'hal', typing: false });
    expect((await join(await user(b.url, 'jon'), room)).typing).toEqual([]);
  });
});

import {
  connect,
  get,
  key,
  post,
  request,
  useCluster,
  useServer,
  userToken,
  waitFor,
  type RunningRedis,
  type TestSocket,
} from '@presently/testing';

/**
 * `POST /api/disconnect`: with the API key, an operator disconnects every
 * socket of a user at once (no grace: the others hear `room:left` with
 * reason `leave` right away), or takes the user out of one room (its
 * sockets stay connected and are told with `room:removed`); in one process
 * and across processes sharing Redis.
 */

const SECRET = 'moderation-e2e-secret-0123456789abcdef';
const API_KEY = 'moderation-e2e-key';
// Long enough that a leave seen before it could only be the moderation's.
const GRACE_MS = 60_000;

type Member = { userId: string; connections: number };
type Left = { room: string; userId: string; reason: string };

async function member(url: string, sub: string, rooms: string[]): Promise<TestSocket> {
  const { socket } = await connect(url, { token: await userToken(SECRET, sub) });
  for (const room of rooms) expect((await request(socket, 'room:join', { room })).ok).toBe(true);
  return socket;
}

const moderate = (url: string, body: unknown, apiKey: string | null = API_KEY) =>
  post(url, '/api/disconnect', body, apiKey === null ? {} : { 'x-api-key': apiKey });

const membersOf = async (url: string, room: string): Promise<string[]> =>
  ((await get<{ members: Member[] }>(url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members ?? []).map((m) => m.userId).sort();

const disconnected = (socket: TestSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('POST /api/disconnect in one process', () => {
  const server = useServer({ JWT_SECRET: SECRET, API_KEY, GRACE_MS: String(GRACE_MS) });

  it('refuses a call without the right key with 401 before reading the body, then a bad body with 400', async () => {
    for (const apiKey of [null, '', 'wrong-key']) {
      const answer = await moderate(server.url, '{not json', apiKey);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('UNAUTHORIZED');
    }
    expect((await moderate(server.url, { userId: 'x' }, 'wrong-key')).status).toBe(401);
    for (const body of ['{not json', [], {}, { userId: '' }, { userId: 7 }, { userId: 'u', room: '' }, { userId: 'u', rooms: 'lobby' }, { userId: 'u\u0000' }]) {
      const answer = await moderate(server.url, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('BAD_REQUEST');
    }
  });

  it('disconnects every socket of the user at once; the others hear room:left with reason leave, nothing is held', async () => {
    const room = key('mod-room');
    const side = key('mod-side');
    const bob = await member(server.url, 'bob', [room, side]);
    const tab1 = await member(server.url, 'mallory', [room, side]);
    const tab2 = await member(server.url, 'mallory', [room]);
    const ownLeaves: Left[] = [];
    for (const tab of [tab1, tab2]) tab.on('room:left', (left: Left) => ownLeaves.push(left));
    const closed = Promise.all([disconnected(tab1), disconnected(tab2)]);
    const leftRoom = waitFor<Left>(bob, 'room:left', (p) => p.room === room);
    const leftSide = waitFor<Left>(bob, 'room:left', (p) => p.room === side);

    const answer = await moderate(server.url, { userId: 'mallory' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, disconnected: 2 });
    // A server disconnect: a Socket.IO client does not reconnect by itself.
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await leftRoom).toEqual({ room, userId: 'mallory', reason: 'leave', duration: expect.any(Number) });
    expect(await leftSide).toEqual({ room: side, userId: 'mallory', reason: 'leave', duration: expect.any(Number) });
    expect(ownLeaves).toEqual([]);
    expect(await membersOf(server.url, room)).toEqual(['bob']);
    expect(await membersOf(server.url, side)).toEqual(['bob']);
    expect(bob.connected).toBe(true);

    // A user that is not (or no longer) here: nothing to do.
    expect((await moderate(server.url, { userId: 'mallory' })).body).toEqual({ ok: true, disconnected: 0 });
  });

  it('takes the user out of one room only: its sockets stay connected, are told with room:removed, and may join again', async () => {
    const room = key('mod-room');
    const side = key('mod-side');
    const bob = await member(server.url, 'bob', [room, side]);
    const mallory = await member(server.url, 'mallory', [room, side]);
    const removed = waitFor<{ room: string }>(mallory, 'room:removed');
    const left = waitFor<Left>(bob, 'room:left', (p) => p.room === room);

    const answer = await moderate(server.url, { userId: 'mallory', room });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, removed: 1 });
    expect(await removed).toEqual({ room });
    expect(await left).toEqual({ room, userId: 'mallory', reason: 'leave', duration: expect.any(Number) });
    expect(await membersOf(server.url, room)).toEqual(['bob']);
    expect(await membersOf(server.url, side)).toEqual(['bob', 'mallory']);
    expect(mallory.connected).toBe(true);
    // No longer a member there: an update is refused; the other room is untouched.
    expect((await request(mallory, 'room:update', { room, profile: { status: 'away' } })).ok).toBe(false);
    expect((await request(mallory, 'room:update', { room: side, profile: { status: 'away' } })).ok).toBe(true);
    expect((await request(mallory, 'room:join', { room })).ok).toBe(true);
  });
});

describe('POST /api/disconnect across processes (REDIS_URL)', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({ REDIS_URL: redis.url, JWT_SECRET: SECRET, API_KEY, GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' }));
  const { servers } = cluster;

  it('disconnects a user connected to both processes from a call to one of them', async () => {
    const [a, b] = servers;
    const room = key('cluster-mod');
    const bob = await member(a.url, 'bob', [room]);
    const onB = await member(b.url, 'mallory', [room]);
    const onA = await member(a.url, 'mallory', [room]);
    const closed = Promise.all([disconnected(onA), disconnected(onB)]);
    const left = waitFor<Left>(bob, 'room:left', (p) => p.room === room);

    const answer = await moderate(a.url, { userId: 'mallory' });
    expect(answer.body).toEqual({ ok: true, disconnected: 2 });
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await left).toEqual({ room, userId: 'mallory', reason: 'leave', duration: expect.any(Number) });
    expect(await membersOf(b.url, room)).toEqual(['bob']);
  });

  it('takes a member connected to the other process out of a room', async () => {
    const [a, b] = servers;
    const room = key('cluster-mod');
    const bob = await member(a.url, 'bob', [room]);
    const mallory = await member(b.url, 'mallory', [room]);
    const removed = waitFor<{ room: string }>(mallory, 'room:removed');
    const left = waitFor<Left>(bob, 'room:left', (p) => p.room === room);

    const answer = await moderate(a.url, { userId: 'mallory', room });
    expect(answer.body).toEqual({ ok: true, removed: 1 });
    expect(await removed).toEqual({ room });
    expect(await left).toEqual({ room, userId: 'mallory', reason: 'leave', duration: expect.any(Number) });
    expect(await membersOf(a.url, room)).toEqual(['bob']);
    expect(mallory.connected).toBe(true);
  });
});

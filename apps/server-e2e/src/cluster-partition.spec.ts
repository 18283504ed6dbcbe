import {
  closeAll,
  closeStreams,
  connect,
  counts,
  countArrived,
  countsReceived,
  enterPage,
  get,
  key,
  record,
  request,
  startRedis,
  startServer,
  startTcpProxy,
  until,
  userToken,
  waitFor,
  watchPage,
  type RunningRedis,
  type RunningServer,
  type TcpProxy,
  type TestSocket,
} from '@presently/testing';

/**
 * One process cut off from a Redis that keeps running (a TCP proxy between
 * them, cut by the test): the other process withdraws its share once its
 * heartbeat lapses (`node-down`), the cut process keeps serving its sockets,
 * and when the link returns it restores its share: every figure exact again
 * within 20 s, no ghost, no double count.
 */

const SECRET = 'cluster-partition-secret-0123456789abcdef';
const AFTER_RESTORE_MS = 20_000;

type Member = { userId: string; status: string; connections: number };
type Left = { room: string; userId: string; reason: string };
type Sync = { room: string; members: Member[] };

const baseEnv = { JWT_SECRET: SECRET, GRACE_MS: '1000', COUNT_INTERVAL_MS: '50', REDIS_HEARTBEAT_MS: '200', REDIS_HEARTBEAT_TTL_MS: '1000' };

async function user(url: string, sub: string): Promise<TestSocket> {
  const { socket } = await connect(url, { token: await userToken(SECRET, sub) });
  return socket;
}

const last = <T>(list: T[]): T | undefined => list[list.length - 1];
const roster = (members: Member[]) => members.map((m) => `${m.userId}:${m.status}:${m.connections}`).sort().join(',');
const membersOn = async (url: string, room: string) => (await get<{ members: Member[] }>(url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;
const status = async (url: string) => (await get(url, '/readyz')).status;

describe('a process cut off from Redis while Redis keeps running', () => {
  let redis: RunningRedis;
  let link: TcpProxy;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    redis = await startRedis();
    link = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    [a, b] = await Promise.all([
      startServer({ ...baseEnv, REDIS_URL: `redis://127.0.0.1:${link.port}` }),
      startServer({ ...baseEnv, REDIS_URL: redis.url }),
    ]);
  }, 60_000);
  afterEach(() => {
    closeAll();
    closeStreams();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await link?.close();
    await redis?.dispose();
  });

  it('is withdrawn by the others after its heartbeat, keeps serving its sockets, and restores its share when the link returns', async () => {
    const page = key('/partition');
    const room = key('partition-room');
    const watchers = [await watchPage(a.url, page), await watchPage(b.url, page)];
    await enterPage(a.url, page);
    const goes = await enterPage(a.url, page);
    await enterPage(b.url, page);
    for (const w of watchers) await countArrived(w, counts(page, 3, 3));

    const ann = await user(a.url, 'ann');
    const cat = await user(a.url, 'cat');
    const ben = await user(b.url, 'ben');
    const benLeft = record<Left>(ben, 'room:left');
    const benSyncs = record<Sync>(ben, 'room:sync');
    const annDisconnected = record(ann, 'disconnect');
    for (const socket of [ann, cat, ben]) expect((await request(socket, 'room:join', { room })).ok).toBe(true);

    link.cut();
    // B withdraws A's share once A's heartbeat lapses.
    const nodeDown = await Promise.all(['ann', 'cat'].map((id) => waitFor<Left>(ben, 'room:left', (e) => e.userId === id, 20_000)));
    expect(nodeDown.map((e) => e.reason)).toEqual(['node-down', 'node-down']);
    await countArrived(watchers[1], counts(page, 1, 1), 20_000);
    await until(async () => (await status(a.url)) === 503, 'the cut process reports not ready');
    expect(await status(b.url)).toBe(200);

    // A keeps serving its own sockets meanwhile: changes are acked and its sockets stay connected.
    expect((await request(ann, 'room:update', { room, profile: { status: 'cut-off' } })).ok).toBe(true);
    expect((await request(cat, 'room:leave', { room })).ok).toBe(true);
    expect((await request(goes, 'page:leave', { page })).ok).toBe(true);
    goes.disconnect();
    await enterPage(a.url, page);
    expect(ann.connected).toBe(true);

    link.restore();
    await until(async () => (await status(a.url)) === 200, 'the process restored its share', AFTER_RESTORE_MS);
    // The truth: 3 viewers (2 on A, 1 on B); ann (cut-off) and ben, each counted once.
    for (const w of watchers) {
      const seen = countsReceived(w);
      await until(() => JSON.stringify(last(seen)) === JSON.stringify(counts(page, 3, 3)), `the last page:count is 3 (saw ${JSON.stringify(seen)})`, AFTER_RESTORE_MS);
    }
    const truth = 'ann:cut-off:1,ben:online:1';
    await until(() => roster(last(benSyncs)?.members ?? []) === truth, `ben's last room:sync lists ann and ben (saw ${JSON.stringify(last(benSyncs))})`, AFTER_RESTORE_MS);
    for (const server of [a, b]) {
      expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(page)}`)).body).toEqual(counts(page, 3, 3));
      expect(roster(await membersOn(server.url, room))).toBe(truth);
    }

    // No ghost after the grace period: a later leave of ann reaches ben, and then only ben is left, once.
    const annLeft = waitFor<Left>(ben, 'room:left', (e) => e.userId === 'ann' && e.reason === 'leave', AFTER_RESTORE_MS);
    expect((await request(ann, 'room:leave', { room })).ok).toBe(true);
    await annLeft;
    for (const server of [a, b]) expect(roster(await membersOn(server.url, room))).toBe('ben:online:1');
    expect(benLeft.filter((e) => e.userId === 'cat').map((e) => e.reason)).toEqual(['node-down']);
    expect(annDisconnected).toEqual([]);
    expect(a.process.exitCode).toBeNull();
  }, 90_000);
});

import {
  clientId,
  connect,
  counts,
  get,
  journal,
  journaled,
  key,
  openStream,
  pageCount,
  post,
  record,
  request,
  since,
  until,
  untilMetric,
  userToken,
  useCluster,
  waitFor,
  type RunningRedis,
} from '@presently/testing';
import { ANNOUNCEMENTS, type Member, membersOn, names, type Updated, upToAck } from './support/rooms';

/**
 * Protocol 1.1, "Activity", with two server processes sharing a real
 * redis-server: pages' `active` and members' `activity` are cluster-wide and
 * exact, a member's activity change is announced once to every process's
 * sockets, a hidden socket hears nothing of changes made on another process,
 * and coming back it is sent exactly what differs (read from Redis) before
 * its ack, at most once per COUNT_INTERVAL_MS.
 */

const SECRET = 'cluster-activity-secret-0123456789abcdef';
const API_KEY = 'cluster-activity-key-0123456789';

const clusterEnv = (redis: RunningRedis, countIntervalMs = '50') => ({
  REDIS_URL: redis.url,
  JWT_SECRET: SECRET,
  API_KEY,
  COUNT_INTERVAL_MS: countIntervalMs,
  GRACE_MS: '2000',
  POLLS: 'cluster-activity-poll',
});

const user = async (url: string, sub: string, name = sub) => (await connect(url, { clientId: clientId(sub), token: await userToken(SECRET, sub, { name }) })).socket;

describe('activity across processes', () => {
  const cluster = useCluster(2, (redis) => clusterEnv(redis));
  const { servers } = cluster;

  it('counts active clients cluster-wide in acks, page:count, HTTP and SSE; a held tab keeps its state where it was held', async () => {
    const [a, b] = servers;
    const page = key('/cluster-activity/counts');
    const browser = clientId('browser');
    const { socket: tab1 } = await connect(a.url, { clientId: browser });
    expect(await request(tab1, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 1, 1) });
    const { socket: other } = await connect(b.url);
    expect(await request(other, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 2, 2, 2) });
    const { socket: watcher } = await connect(b.url);
    const seen = record(watcher, 'page:count');
    const heard = (expected: unknown) => until(() => seen.some((c) => JSON.stringify(c) === JSON.stringify(expected)), `the watcher heard ${JSON.stringify(expected)}`);
    await request(watcher, 'page:watch', { pages: [page] });
    const stream = await openStream(a.url, { page, clientId: clientId('reader') });
    expect(await stream.next('count')).toEqual(counts(page, 3, 3, 3));

    await request(tab1, 'presence:activity', { state: 'idle' });
    await heard(counts(page, 3, 3, 2));
    expect(await stream.next('count', (c) => c.active === 2)).toEqual(counts(page, 3, 3, 2));
    for (const server of servers) expect(await pageCount(server.url, page)).toEqual(counts(page, 3, 3, 2));

    // The idle tab goes away (held on A, still idle); its reload comes back through B, active, in its place.
    await untilMetric(a.url, 'presently_held_connections', (n) => n === 0);
    tab1.disconnect();
    await untilMetric(a.url, 'presently_held_connections', (n) => n === 1);
    expect(await pageCount(b.url, page)).toEqual(counts(page, 3, 3, 2));
    const { socket: reload } = await connect(b.url, { clientId: browser });
    expect(await request(reload, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 3, 3, 3) });
    await heard(counts(page, 3, 3, 3));
    await untilMetric(a.url, 'presently_held_connections', (n) => n === 0);
    expect(await pageCount(a.url, page)).toEqual(counts(page, 3, 3, 3));
  });

  it("announces a member's activity once to every process's sockets (its other tabs included), never to its cause", async () => {
    const [a, b] = servers;
    const room = key('cluster-activity-room');
    const observer = await user(a.url, 'c-observer');
    await request(observer, 'room:join', { room });
    const tab1 = await user(b.url, 'c-ann', 'Ann');
    const tab2 = await user(a.url, 'c-ann', 'Ann');
    await request(tab1, 'room:join', { room });
    await request(tab2, 'room:join', { room });
    const observed = record<Updated>(observer, 'room:updated');
    const toTab1 = record<Updated>(tab1, 'room:updated');
    const toTab2 = record<Updated>(tab2, 'room:updated');

    // Tab 1 idle: Ann is still active through tab 2, nothing is told.
    await request(tab1, 'presence:activity', { state: 'idle' });
    // Tab 2 hidden: Ann is idle, told once, to the observer and to tab 1.
    await request(tab2, 'presence:activity', { state: 'hidden' });
    await until(() => observed.length > 0 && toTab1.length > 0, 'both heard of Ann');
    for (const server of servers) {
      expect((await membersOn(server.url, room)).map((m) => [m.userId, m.connections, m.activity])).toEqual([
        ['c-observer', 1, 'active'],
        ['c-ann', 2, 'idle'],
      ]);
    }
    // A later event of the room comes after anything Ann's changes sent.
    const marker = await user(b.url, 'c-marker');
    const markerJoined = [observer, tab1].map((socket) => waitFor(socket, 'room:joined', (e: { member: Member }) => e.member.userId === 'c-marker'));
    await request(marker, 'room:join', { room });
    await Promise.all(markerJoined);
    expect(observed.map((e) => [e.member.userId, e.member.activity, e.member.connections])).toEqual([['c-ann', 'idle', 2]]);
    expect(toTab1.map((e) => e.member.activity)).toEqual(['idle']);
    expect(toTab2).toEqual([]);
  });

  it('sends a hidden socket nothing of changes made elsewhere (emits still reach it), then exactly what differs before its ack', async () => {
    const [a, b] = servers;
    const [page, still, room, unchanged] = [key('/cluster-passive/p'), key('/cluster-passive/still'), key('cluster-passive-room'), key('cluster-passive-same')];
    const poll = 'cluster-activity-poll';
    const hidden = await user(a.url, 'c-hidden', 'Hidden');
    for (const [event, payload] of [
      ['page:enter', { page }],
      ['page:watch', { pages: [still] }],
      ['room:join', { room }],
      ['room:join', { room: unchanged }],
      ['stats:watch', {}],
      ['poll:watch', { poll }],
    ] as const) {
      expect(await request(hidden, event, payload)).toMatchObject({ ok: true });
    }
    const observer = await user(b.url, 'c-watcher');
    await request(observer, 'room:join', { room });
    await request(observer, 'page:watch', { pages: [page] });
    await request(observer, 'poll:watch', { poll });
    await request(observer, 'stats:watch', {});
    // Whatever the joins sent the hidden socket has arrived once the observer is announced to it.
    await until(async () => (await membersOn(a.url, room)).length === 2, 'both are members');
    const heard = journal(observer);
    const log = journal(hidden);
    expect(await journaled(hidden, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });

    const x = await user(b.url, 'c-xavier', 'Xavier');
    await request(x, 'page:enter', { page });
    await request(x, 'room:join', { room });
    await request(x, 'room:update', { room, profile: { status: 'busy' } });
    await request(x, 'poll:vote', { poll, option: 'blue' });
    await until(
      () =>
        heard.some((e) => e.event === 'room:updated' && e.payload.member.userId === 'c-xavier' && e.payload.member.status === 'busy') &&
        heard.some((e) => e.event === 'page:count' && e.payload.page === page && e.payload.viewers === 2) &&
        heard.some((e) => e.event === 'poll:tally' && e.payload.poll === poll) &&
        heard.some((e) => e.event === 'stats'),
      'the observer heard every change',
    );
    // An emit to the room, from the other process, reaches the hidden socket after anything sent before.
    const marker = clientId('marker');
    const arrived = waitFor(hidden, 'marker', (payload) => payload === marker);
    expect((await post(b.url, '/api/emit', { event: 'marker', data: marker, to: { room } }, { 'x-api-key': API_KEY })).status).toBe(202);
    await arrived;
    // What was on its way before the ack (a coalesced stats, the observer's join) may land first; after the ack, only the emit.
    const afterHidden = log.slice(log.findIndex((e) => e.event === 'ack:presence:activity'));
    expect(names(afterHidden)).toEqual(['ack:presence:activity', 'marker']);
    expect(afterHidden.some((e) => ANNOUNCEMENTS.includes(e.event))).toBe(false);

    const fresh = since(log);
    expect(await journaled(hidden, 'presence:activity', { state: 'active' })).toEqual({ ok: true, state: 'active' });
    const caughtUp = upToAck(fresh());
    expect(names(caughtUp).sort()).toEqual(['ack:presence:activity', 'page:count', 'poll:tally', 'room:sync', 'stats'].sort());
    const payload = (event: string) => caughtUp.find((e) => e.event === event)?.payload;
    expect(payload('page:count')).toEqual(await pageCount(b.url, page));
    const members = await membersOn(b.url, room);
    expect(payload('room:sync')).toEqual({ room, members, total: 3, typing: [] });
    expect(members.find((m) => m.userId === 'c-xavier')).toMatchObject({ status: 'busy', activity: 'active' });
    expect(payload('poll:tally')).toEqual({ poll, tallies: expect.objectContaining({ blue: expect.any(Number) }) });
    expect(payload('stats')).toEqual((await get(b.url, '/api/stats')).body);

    // Listening again: the next change made elsewhere reaches it.
    const next = waitFor(hidden, 'page:count', (c: { page: string; viewers: number }) => c.page === page && c.viewers === 1);
    await request(x, 'page:leave', { page });
    await next;
  });
});

describe('activity across processes: at most one catch-up per COUNT_INTERVAL_MS (3000)', () => {
  const cluster = useCluster(2, (redis) => clusterEnv(redis, '3000'));
  const { servers } = cluster;

  it('acks a faster return at once and sends its catch-up, read from Redis, at the end of the interval', async () => {
    const [a, b] = servers;
    const page = key('/cluster-passive/flapping');
    const hidden = await user(a.url, 'c-flapper');
    const own = waitFor(hidden, 'page:count', (c: { viewers: number }) => c.viewers === 1);
    await request(hidden, 'page:enter', { page });
    await own;
    const log = journal(hidden);
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    await journaled(hidden, 'presence:activity', { state: 'active' });
    expect(names(log)).toEqual(['ack:presence:activity', 'ack:presence:activity']);
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    const x = await user(b.url, 'c-flap-x');
    await request(x, 'page:enter', { page });
    const fresh = since(log);
    expect(await journaled(hidden, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    const caughtUp = await waitFor(hidden, 'page:count', () => true, 15_000);
    expect(caughtUp).toEqual(counts(page, 2, 2, 1));
    expect(fresh()).toEqual([
      { event: 'ack:presence:activity', payload: { ok: true, state: 'idle' } },
      { event: 'page:count', payload: counts(page, 2, 2, 1) },
    ]);
  }, 30_000);
});

import type { WebhookEvent } from '@presently/protocol';
import {
  clientId,
  connect,
  key,
  request,
  startWebhookReceiver,
  untilMetric,
  useCluster,
  userToken,
  type RunningRedis,
  type TestSocket,
  type WebhookReceiver,
} from '@presently/testing';

/**
 * Webhooks with two processes sharing a real redis-server: each change of
 * who is present is sent once for the whole cluster, by the process whose
 * change decided it (ids unique, nothing twice, nothing missing), a move to
 * the other process within the grace period sends nothing, a process that
 * dies has its members' departures sent by a survivor, and a stopping
 * process delivers what it decided before it exits.
 */

const SECRET = 'cluster-webhooks-secret-0123456789';
const JWT_SECRET = 'cluster-webhooks-jwt-secret-0123456789';
const GRACE_MS = 1000;

type Typed<T extends WebhookEvent['type']> = Extract<WebhookEvent, { type: T }>;
const is =
  <T extends WebhookEvent['type']>(type: T, where: (data: Typed<T>['data']) => boolean = () => true) =>
  (event: WebhookEvent): event is Typed<T> =>
    event.type === type && where(event.data as Typed<T>['data']);
const subjectOf = (e: WebhookEvent) => ('room' in e.data ? e.data.room : e.data.page);
/** The events of one room or page, as `type userId?` lines, in the order they arrived. */
const story = (events: readonly WebhookEvent[], subject: string) =>
  events
    .filter((e) => subjectOf(e) === subject)
    .map((e) => (e.type === 'room.member_joined' ? `${e.type} ${e.data.member.userId}` : e.type === 'room.member_left' ? `${e.type} ${e.data.userId} ${e.data.reason}` : e.type));
/** The process an event came from: the part of its id before the counter. */
const origin = (e: WebhookEvent) => e.id.slice(0, e.id.lastIndexOf('-'));

/** Whether `sequence` (J: joined, L: left) can be what one process decided of two rounds' join, leave, join, leave. */
function inRoundOrder(sequence: string): boolean {
  let at = 0;
  for (const step of sequence) {
    at = 'JLJL'.indexOf(step, at) + 1;
    if (at === 0) return false;
  }
  return true;
}

describe('webhooks across processes', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  const env = (redis: RunningRedis) => ({
    REDIS_URL: redis.url,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '200',
    JWT_SECRET,
    GRACE_MS: String(GRACE_MS),
    COUNT_INTERVAL_MS: '50',
    REDIS_HEARTBEAT_MS: '200',
    REDIS_HEARTBEAT_TTL_MS: '1000',
  });
  const cluster = useCluster(2, env);

  const user = async (url: string, sub: string, id = clientId(sub)): Promise<TestSocket> =>
    (await connect(url, { clientId: id, token: await userToken(JWT_SECRET, sub) })).socket;
  /** Each event of `subject` once, no id twice anywhere, and every request signed. */
  const expectOnce = (subject: string) => {
    const ids = receiver.delivered.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    return story(receiver.delivered, subject);
  };

  it('sends each change once, from the process whose change decided it', async () => {
    const [a, b] = cluster.servers;
    const room = key('cwh-room');
    const page = key('/cwh/page');
    const step = (type: WebhookEvent['type'], subject: string, count = 1) =>
      receiver.waitFor(() => receiver.delivered.filter((e) => e.type === type && subjectOf(e) === subject).length >= count, `${type} ${subject}`);

    // Alice joins through a: the room is occupied there.
    const alice1 = await user(a.url, 'alice');
    await request(alice1, 'room:join', { room });
    await request(alice1, 'page:enter', { page });
    await step('room.member_joined', room);
    // Bob joins through b; Alice's second device, through b, is no news.
    const bob = await user(b.url, 'bob');
    const alice2 = await user(b.url, 'alice');
    await request(bob, 'room:join', { room });
    await request(alice2, 'room:join', { room });
    await request(bob, 'page:enter', { page });
    await step('room.member_joined', room, 2);
    // Alice leaves on a (still in through b), then on b: b decides her departure.
    await request(alice1, 'room:leave', { room });
    await request(alice1, 'page:leave', { page });
    await request(alice2, 'room:leave', { room });
    await step('room.member_left', room);
    // Bob's connection drops: his departure and the room's end come once the grace ran out.
    bob.disconnect();
    await step('room.vacated', room);
    await step('page.vacated', page);

    expect(expectOnce(room)).toEqual([
      'room.occupied',
      'room.member_joined alice',
      'room.member_joined bob',
      'room.member_left alice leave',
      'room.member_left bob disconnect',
      'room.vacated',
    ]);
    expect(expectOnce(page)).toEqual(['page.occupied', 'page.vacated']);
    const of = (line: string) => receiver.delivered.filter((e) => subjectOf(e) === room)[expectOnce(room).indexOf(line)];
    // The room occupied and Alice's arrival were decided by a; everything after by b.
    expect(origin(of('room.member_joined alice'))).toBe(origin(of('room.occupied')));
    for (const line of ['room.member_joined bob', 'room.member_left alice leave', 'room.member_left bob disconnect', 'room.vacated']) {
      expect(origin(of(line))).not.toBe(origin(of('room.occupied')));
      expect(origin(of(line))).toBe(origin(of('room.vacated')));
    }
  });

  it('sends nothing when a user moves to the other process within the grace period', async () => {
    const [a, b] = cluster.servers;
    const room = key('cwh-move');
    const page = key('/cwh/move');
    const later = key('/cwh/move-later');
    const id = clientId('mover');
    const first = await user(a.url, 'mo', id);
    await request(first, 'room:join', { room });
    await request(first, 'page:enter', { page });
    await receiver.waitFor(is('page.occupied', (d) => d.page === page), 'page.occupied');

    first.disconnect();
    const again = await user(b.url, 'mo', id);
    await request(again, 'room:join', { room });
    await request(again, 'page:enter', { page });
    // The held connection on a is gone (taken over, or expired) before the later event is made.
    await untilMetric(a.url, 'presently_held_connections', (n) => n === 0, GRACE_MS + 10_000);
    await request(again, 'page:enter', { page: later });
    await receiver.waitFor(is('page.occupied', (d) => d.page === later), 'the later page.occupied');

    expect(expectOnce(room)).toEqual(['room.occupied', 'room.member_joined mo']);
    expect(expectOnce(page)).toEqual(['page.occupied']);
    await request(again, 'room:leave', { room });
    await receiver.waitFor(is('room.vacated', (d) => d.room === room), 'room.vacated');
  });

  it('sends each change exactly once through a burst of joins and leaves on both processes', async () => {
    const room = key('cwh-burst');
    const page = key('/cwh/burst');
    const users = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    // Every user has a socket on each process.
    const sockets = await Promise.all(users.flatMap((sub) => cluster.servers.map((server) => user(server.url, sub))));
    for (let round = 0; round < 2; round++) {
      await Promise.all(sockets.map((socket) => request(socket, 'room:join', { room })));
      await Promise.all(sockets.map((socket) => request(socket, 'page:enter', { page })));
      await Promise.all(sockets.map((socket) => request(socket, 'room:leave', { room })));
      await Promise.all(sockets.map((socket) => request(socket, 'page:leave', { page })));
    }
    // Each process sends its events in order, and the two send independently: a marker room
    // occupied through each process, after the burst, comes after everything that process sent of it.
    const markers = cluster.servers.map((_, i) => key(`cwh-burst-end-${i}`));
    await Promise.all(cluster.servers.map((server, i) => user(server.url, `burst-end-${i}`).then((s) => request(s, 'room:join', { room: markers[i] }))));
    for (const marker of markers) await receiver.waitFor(is('room.occupied', (d) => d.room === marker), `the marker ${marker}`);

    const lines = expectOnce(room);
    const count = (line: string) => lines.filter((l) => l === line).length;
    expect([count('room.occupied'), count('room.vacated')]).toEqual([2, 2]);
    for (const sub of users) expect([count(`room.member_joined ${sub}`), count(`room.member_left ${sub} leave`)]).toEqual([2, 2]);
    expect(lines).toHaveLength(2 * (2 + 2 * users.length));
    // One process may decide a round's end and the other the next round's start: their requests may arrive in either order.
    const pageLines = expectOnce(page);
    expect([pageLines.filter((l) => l === 'page.occupied').length, pageLines.filter((l) => l === 'page.vacated').length, pageLines.length]).toEqual([2, 2, 4]);
    // What each process sent follows from itself: one user's joins and leaves that a process decided are in the
    // order of the rounds (join, leave, join, leave), whichever of them it decided.
    for (const from of new Set(receiver.delivered.map(origin))) {
      for (const sub of users) {
        // This user's lines only: burst-1's are not burst-10's.
        const own = story(receiver.delivered.filter((e) => origin(e) === from), room).filter((l) => l.split(' ')[1] === sub);
        const sequence = own.map((l) => (l.startsWith('room.member_joined') ? 'J' : 'L')).join('');
        expect({ sub, sequence, inRoundOrder: inRoundOrder(sequence) }).toEqual({ sub, sequence, inRoundOrder: true });
      }
    }
  });

  it('has a survivor send the departures of a process that died (node-down), once', async () => {
    const [a] = cluster.servers;
    const victim = await cluster.startProcess();
    const room = key('cwh-down');
    const page = key('/cwh/down');
    const dana = await user(victim.url, 'dana');
    const erin = await user(a.url, 'erin');
    await request(dana, 'room:join', { room });
    await request(dana, 'page:enter', { page });
    await receiver.waitFor(is('room.member_joined', (d) => d.room === room), 'dana joined');
    // What a process had not delivered when it died is lost with it: these are out first.
    await receiver.waitFor(is('page.occupied', (d) => d.page === page), 'page occupied');
    await request(erin, 'room:join', { room });
    await receiver.waitFor(is('room.member_joined', (d) => d.room === room && d.member.userId === 'erin'), 'erin joined');

    victim.process.kill('SIGKILL');
    await victim.exited;
    await receiver.waitFor(is('page.vacated', (d) => d.page === page), 'page.vacated', 20_000);
    const left = await receiver.waitFor(is('room.member_left', (d) => d.room === room), 'dana left', 20_000);
    expect(left.data).toEqual({ room, userId: 'dana', reason: 'node-down', duration: expect.any(Number) });
    await request(erin, 'room:leave', { room });
    await receiver.waitFor(is('room.vacated', (d) => d.room === room), 'room.vacated');
    expect(expectOnce(room)).toEqual(['room.occupied', 'room.member_joined dana', 'room.member_joined erin', 'room.member_left dana node-down', 'room.member_left erin leave', 'room.vacated']);
    expect(expectOnce(page)).toEqual(['page.occupied', 'page.vacated']);
  });

  it('has a stopping process deliver, before it exits, the departures it decided', async () => {
    const stopping = await cluster.startProcess();
    const room = key('cwh-stop');
    const page = key('/cwh/stop');
    const sam = await user(stopping.url, 'sam');
    await request(sam, 'room:join', { room });
    await request(sam, 'page:enter', { page });
    const joined = await receiver.waitFor(is('room.member_joined', (d) => d.room === room), 'sam joined');

    // Sam's client does not come back: the process holds him for the grace period, then withdraws and stops.
    const code = await stopping.stop();
    // Its log says why, should it not exit cleanly.
    expect({ code, log: code === 0 ? [] : stopping.output }).toEqual({ code: 0, log: [] });
    expect(expectOnce(room)).toEqual(['room.occupied', 'room.member_joined sam', 'room.member_left sam disconnect', 'room.vacated']);
    expect(expectOnce(page)).toEqual(['page.occupied', 'page.vacated']);
    const vacated = receiver.delivered.find(is('room.vacated', (d) => d.room === room));
    expect(vacated && origin(vacated)).toBe(origin(joined));
  });
});

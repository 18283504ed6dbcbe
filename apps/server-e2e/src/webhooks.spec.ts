import type { WebhookEvent } from '@presently/protocol';
import {
  clientId,
  closeAll,
  connect,
  key,
  metricSamples,
  request,
  runServerExpectingExit,
  sampleValue,
  startServer,
  startWebhookReceiver,
  untilMetric,
  userToken,
  type RunningServer,
  type WebhookReceiver,
} from '@presently/testing';

/**
 * Webhooks in one process, with a real receiver: signed batches of the
 * changes of who is present, in order; nothing for a reload; a leave after
 * the grace period with its duration; failures retried, refusals dropped;
 * and what waits delivered at shutdown.
 */

const SECRET = 'webhook-e2e-secret-0123456789';
const JWT_SECRET = 'webhook-e2e-jwt-secret-0123456789';
const GRACE_MS = 1000;
const ENV = {
  WEBHOOK_SECRET: SECRET,
  JWT_SECRET,
  GRACE_MS: String(GRACE_MS),
  COUNT_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '200',
};

type Typed<T extends WebhookEvent['type']> = Extract<WebhookEvent, { type: T }>;
const is =
  <T extends WebhookEvent['type']>(type: T, where: (data: Typed<T>['data']) => boolean = () => true) =>
  (event: WebhookEvent): event is Typed<T> =>
    event.type === type && where(event.data as Typed<T>['data']);
/** The events of one room or page, as `type userId?` lines, in the order they arrived. */
const story = (events: WebhookEvent[], subject: string) =>
  events
    .filter((e) => ('room' in e.data ? e.data.room : 'page' in e.data ? e.data.page : undefined) === subject)
    .map((e) => (e.type === 'room.member_joined' ? `${e.type} ${e.data.member.userId}` : e.type === 'room.member_left' ? `${e.type} ${e.data.userId} ${e.data.reason}` : e.type));

const signedIn = async (url: string, userId: string, id = clientId(userId)) => connect(url, { clientId: id, token: await userToken(JWT_SECRET, userId) });

describe('webhooks (one process)', () => {
  let receiver: WebhookReceiver;
  let server: RunningServer;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    server = await startServer({ ...ENV, WEBHOOK_URL: receiver.url });
  });
  afterEach(async () => {
    closeAll();
    receiver.answer = () => 200;
    // Every test starts with nobody held and nothing waiting.
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 0, GRACE_MS + 10_000);
    await untilMetric(server.url, 'presently_webhook_queue_length', (n) => n === 0, 30_000);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('POSTs signed JSON batches: the room occupied, then its member joined, and the page occupied', async () => {
    const room = key('wh-room');
    const page = key('/wh/page');
    const { socket, session } = await signedIn(server.url, 'ada');
    const ack = await request(socket, 'room:join', { room, profile: { status: 'busy' } });
    await request(socket, 'page:enter', { page });
    const joined = await receiver.waitFor(is('room.member_joined', (d) => d.room === room), 'member_joined');
    await receiver.waitFor(is('page.occupied', (d) => d.page === page), 'page.occupied');

    expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined ada']);
    expect(joined.data).toEqual({ room, member: ack.self });
    expect(joined.data).toEqual({ room, member: { userId: session.userId, name: 'ada', status: 'busy', meta: {}, connections: 1, since: ack.self.since, activity: 'active' } });
    expect(joined.at).toBeGreaterThanOrEqual(ack.self.since);

    const carrying = receiver.requests.filter((r) => r.events.some((e) => e.id === joined.id));
    expect(carrying.length).toBeGreaterThan(0);
    for (const request of carrying) {
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(request.headers['x-presently-timestamp']).toMatch(/^\d+$/);
      expect(request.headers['x-presently-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(request.verified).toBe(true);
      expect(JSON.parse(request.body)).toEqual({ events: request.events });
    }
    // Every request so far was signed, every id is unique, no request carried more than 100 events.
    expect(receiver.requests.every((r) => r.verified && r.events.length >= 1 && r.events.length <= 100)).toBe(true);
    const ids = receiver.delivered.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends nothing for a reload within the grace period (a later event proves it)', async () => {
    const room = key('wh-reload');
    const page = key('/wh/reload');
    const later = key('/wh/reload-later');
    const id = clientId('reloader');
    const first = await signedIn(server.url, 'rita', id);
    await request(first.socket, 'room:join', { room });
    await request(first.socket, 'page:enter', { page });
    await receiver.waitFor(is('page.occupied', (d) => d.page === page), 'page.occupied');

    first.socket.disconnect();
    const again = await signedIn(server.url, 'rita', id);
    await request(again.socket, 'room:join', { room });
    await request(again.socket, 'page:enter', { page });
    // The held connection is gone (taken over, or its grace ran out) before the later event is made.
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 0, GRACE_MS + 10_000);
    await request(again.socket, 'page:enter', { page: later });
    await receiver.waitFor(is('page.occupied', (d) => d.page === later), 'the later page.occupied');

    expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined rita']);
    expect(story(receiver.delivered, page)).toEqual(['page.occupied']);
  });

  it('sends room.member_left with reason disconnect and its duration once the grace ran out, then room.vacated and page.vacated', async () => {
    const room = key('wh-gone');
    const page = key('/wh/gone');
    const { socket } = await signedIn(server.url, 'gus');
    const { self } = await request(socket, 'room:join', { room });
    await request(socket, 'page:enter', { page });
    await receiver.waitFor(is('room.member_joined', (d) => d.room === room), 'member_joined');
    const disconnecting = Date.now();
    socket.disconnect();

    const left = await receiver.waitFor(is('room.member_left', (d) => d.room === room), 'member_left', GRACE_MS + 15_000);
    await receiver.waitFor(is('room.vacated', (d) => d.room === room), 'room.vacated');
    await receiver.waitFor(is('page.vacated', (d) => d.page === page), 'page.vacated');
    expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined gus', 'room.member_left gus disconnect', 'room.vacated']);
    expect(story(receiver.delivered, page)).toEqual(['page.occupied', 'page.vacated']);
    expect(left.data).toEqual({ room, userId: 'gus', reason: 'disconnect', duration: expect.any(Number) });
    // As room:left tells it: present until its disconnect, not until the end of its grace (decided at the event's time).
    expect(self.since + left.data.duration).toBeGreaterThanOrEqual(disconnecting);
    expect(self.since + left.data.duration).toBeLessThanOrEqual(left.at - GRACE_MS + 10);
  });

  it('sends an explicit leave at once, with reason leave', async () => {
    const room = key('wh-leave');
    const { socket } = await signedIn(server.url, 'lea');
    await request(socket, 'room:join', { room });
    await request(socket, 'room:leave', { room });
    await receiver.waitFor(is('room.vacated', (d) => d.room === room), 'room.vacated');
    expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined lea', 'room.member_left lea leave', 'room.vacated']);
  });

  it('counts viewers, not tabs: one page.occupied for the first viewer and one page.vacated after the last', async () => {
    const page = key('/wh/viewers');
    const a = clientId('viewer-a');
    const tabs = await Promise.all([connect(server.url, { clientId: a }), connect(server.url, { clientId: a }), connect(server.url, { clientId: clientId('viewer-b') })]);
    for (const { socket } of tabs) await request(socket, 'page:enter', { page });
    for (const { socket } of tabs) await request(socket, 'page:leave', { page });
    await receiver.waitFor(is('page.vacated', (d) => d.page === page), 'page.vacated');
    expect(story(receiver.delivered, page)).toEqual(['page.occupied', 'page.vacated']);
  });

  it('keeps the order of each room through a burst of joins and leaves', async () => {
    const room = key('wh-burst');
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
    const sockets = await Promise.all(users.map(async (user) => (await signedIn(server.url, user)).socket));
    for (let round = 0; round < 3; round++) {
      await Promise.all(sockets.map((socket) => request(socket, 'room:join', { room })));
      await Promise.all(sockets.map((socket) => request(socket, 'room:leave', { room })));
    }
    await receiver.waitFor((e) => e.type === 'room.vacated' && e.data.room === room && story(receiver.delivered, room).length === 3 * 12, 'the third room.vacated');
    const lines = story(receiver.delivered, room);
    for (let round = 0; round < 3; round++) {
      const part = lines.slice(round * 12, round * 12 + 12);
      expect(part[0]).toBe('room.occupied');
      expect(part.slice(1, 6).sort()).toEqual(users.map((u) => `room.member_joined ${u}`));
      expect(part.slice(6, 11).sort()).toEqual(users.map((u) => `room.member_left ${u} leave`));
      expect(part[11]).toBe('room.vacated');
    }
  });

  it('retries a batch answered 500 until a 200, keeping what followed it in order', async () => {
    const room = key('wh-retry');
    let refusals = 0;
    receiver.answer = (events) => (events.some((e) => 'room' in e.data && e.data.room === room) && refusals++ < 3 ? { status: 500 } : 200);
    const { socket } = await signedIn(server.url, 'rob');
    await request(socket, 'room:join', { room });
    await receiver.waitForRequest((r) => r.status === 500, 'a refused request');
    await request(socket, 'room:leave', { room });
    await receiver.waitFor(is('room.vacated', (d) => d.room === room), 'room.vacated', 30_000);

    expect(refusals).toBeGreaterThanOrEqual(4);
    expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined rob', 'room.member_left rob leave', 'room.vacated']);
    // The refused batch was sent again, whole and with the same ids.
    const tries = receiver.requests.filter((r) => r.events.some((e) => e.type === 'room.occupied' && e.data.room === room));
    expect(tries.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(tries.map((r) => r.events.map((e) => e.id).join()))).toEqual(new Set([tries[0].events.map((e) => e.id).join()]));
    const samples = await metricSamples(server.url);
    expect(sampleValue(samples, 'presently_webhook_requests_failed_total', { cause: '5xx' })).toBeGreaterThanOrEqual(3);
  });

  it('drops a batch answered 400 and delivers the next one', async () => {
    const refused = key('wh-refused');
    const next = key('wh-next');
    const before = sampleValue(await metricSamples(server.url), 'presently_webhook_events_dropped_total', { cause: 'rejected' }) ?? 0;
    receiver.answer = (events) => (events.some((e) => 'room' in e.data && e.data.room === refused) ? 400 : 200);
    const { socket } = await signedIn(server.url, 'ria');
    await request(socket, 'room:join', { room: refused });
    const rejected = await receiver.waitForRequest((r) => r.status === 400, 'the refused request');
    await request(socket, 'room:join', { room: next });
    await receiver.waitFor(is('room.member_joined', (d) => d.room === next), 'the next batch');

    expect(story(receiver.delivered, refused)).toEqual([]);
    expect(receiver.requests.filter((r) => r.events.some((e) => 'room' in e.data && e.data.room === refused))).toEqual([rejected]);
    const after = sampleValue(await metricSamples(server.url), 'presently_webhook_events_dropped_total', { cause: 'rejected' }) ?? 0;
    expect(after - before).toBe(rejected.events.length);
  });

  it('reports what it delivered in the metrics', async () => {
    const room = key('wh-metrics');
    const { socket } = await signedIn(server.url, 'mia');
    await request(socket, 'room:join', { room });
    await receiver.waitFor(is('room.member_joined', (d) => d.room === room), 'member_joined');
    const samples = await metricSamples(server.url);
    expect(sampleValue(samples, 'presently_webhook_events_sent_total')).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'presently_webhook_delivery_latency_seconds_count')).toBe(sampleValue(samples, 'presently_webhook_events_sent_total'));
    for (const cause of ['overflow', 'expired', 'rejected', 'shutdown']) {
      expect(sampleValue(samples, 'presently_webhook_events_dropped_total', { cause })).toBeDefined();
    }
  });
});

describe('webhooks at shutdown (one process)', () => {
  it('delivers what waits on SIGTERM, the presence that ends with the process included', async () => {
    const receiver = await startWebhookReceiver(SECRET);
    const server = await startServer({ ...ENV, WEBHOOK_URL: receiver.url, WEBHOOK_RETRY_BASE_MS: '1000', WEBHOOK_RETRY_MAX_MS: '1000' });
    try {
      const room = key('wh-stop');
      const page = key('/wh/stop');
      const { socket } = await signedIn(server.url, 'sam');
      await request(socket, 'page:enter', { page });
      await receiver.waitFor(is('page.occupied', (d) => d.page === page), 'page.occupied');
      // The receiver fails for now: the room's events wait in the outbox.
      let failing = true;
      receiver.answer = () => (failing ? 503 : 200);
      await request(socket, 'room:join', { room });
      await receiver.waitForRequest((r) => r.status === 503 && r.events.some((e) => e.type === 'room.occupied'), 'a failed request');

      failing = false;
      const exited = server.stop();
      expect(await exited).toBe(0);
      expect(story(receiver.delivered, room)).toEqual(['room.occupied', 'room.member_joined sam', 'room.member_left sam disconnect', 'room.vacated']);
      expect(story(receiver.delivered, page)).toEqual(['page.occupied', 'page.vacated']);
    } finally {
      closeAll();
      await server.stop();
      await receiver.close();
    }
  });
});

describe('webhook configuration', () => {
  it('refuses to start with WEBHOOK_URL but no WEBHOOK_SECRET, saying so', async () => {
    const { code, output } = await runServerExpectingExit({ WEBHOOK_URL: 'http://127.0.0.1:9/hooks' });
    expect(code).toBe(1);
    expect(output).toMatch(/WEBHOOK_SECRET: required with WEBHOOK_URL/);
  });
});

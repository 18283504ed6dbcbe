import type { Socket } from 'socket.io-client';
import {
  barrier,
  clientId,
  connect,
  get,
  metricSamples,
  post,
  request,
  sampleValue,
  untilMetric,
  userToken,
  useServer,
  waitFor,
  type MetricSample,
} from '@presently/testing';

/**
 * GET /metrics in the Prometheus text format, checked against traffic whose
 * every event is known: a server of its own, so each counter starts at 0.
 */

const SECRET = 'metrics-e2e-secret-0123456789abcdef';
const API_KEY = 'metrics-e2e-key-0123456789';

describe('GET /metrics', () => {
  // A long count interval: after a page's first count, every change within the test is merged.
  const server = useServer({ JWT_SECRET: SECRET, API_KEY, COUNT_INTERVAL_MS: '60000', RATE_LIMIT_PER_S: '1', RATE_LIMIT_BURST: '20' });

  let samples: MetricSample[];
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

  it('is the Prometheus text format, with the process metrics', async () => {
    const answer = await get(server.url, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/plain;/);
    expect(answer.contentType).toMatch(/version=0\.0\.4/);
    for (const line of answer.text.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|Nan|[+-]Inf))$/);
    }
    expect(answer.text).toMatch(/^# TYPE presently_events_in_total counter$/m);
    expect(answer.text).toMatch(/^# TYPE presently_connections gauge$/m);
    samples = await metricSamples(server.url);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']) {
      expect({ name, value: value(name) }).toEqual({ name, value: expect.any(Number) });
    }
  });

  it('counts known traffic exactly: sizes, events in and out, acks by code, emits, coalesced counts', async () => {
    const anon = await connect(server.url, { clientId: clientId('m-anon') });
    const mia = await connect(server.url, { token: await userToken(SECRET, 'mia', { roles: ['ops'] }) });
    const watcher = await connect(server.url, { clientId: clientId('m-watch') });

    // page:enter: one ok, one malformed; a forbidden room; an unknown event with and without an ack.
    expect(await request(anon.socket, 'page:enter', { page: '/m/a' })).toMatchObject({ ok: true });
    expect(await request(anon.socket, 'page:enter', { page: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await request(anon.socket, 'room:join', { room: 'private:m' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(anon.socket, 'no:such:event', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    (anon.socket as unknown as Socket).emit('no:such:event', {});
    // A room: two joins (two room:joined broadcasts), one real profile change, one that changes nothing.
    expect(await request(anon.socket, 'room:join', { room: 'm-lobby' })).toMatchObject({ ok: true });
    const updated = waitFor(anon.socket, 'room:updated');
    expect(await request(mia.socket, 'room:join', { room: 'm-lobby' })).toMatchObject({ ok: true });
    expect(await request(mia.socket, 'room:update', { room: 'm-lobby', profile: { status: 'away' } })).toMatchObject({ ok: true });
    expect(await request(mia.socket, 'room:update', { room: 'm-lobby', profile: { status: 'away' } })).toMatchObject({ ok: true });
    await updated;
    // Ten changes of one page's counts: its first count goes out, the rest are merged.
    expect(await request(watcher.socket, 'page:watch', { pages: ['/m/busy'] })).toMatchObject({ ok: true });
    const firstCount = waitFor(watcher.socket, 'page:count', (c: { page: string }) => c.page === '/m/busy');
    const visitors = await Promise.all(Array.from({ length: 10 }, () => connect(server.url)));
    for (const { socket } of visitors) expect(await request(socket, 'page:enter', { page: '/m/busy' })).toMatchObject({ ok: true });
    await firstCount;
    for (const { socket } of visitors) socket.disconnect(); // held for the grace period: counts unchanged
    await barrier(watcher.socket);
    // A flood past the burst of 20 from one socket.
    const flood = await Promise.all(Array.from({ length: 30 }, () => request(watcher.socket, 'stats:unwatch', {})));
    const limited = flood.filter((ack) => ack.ok === false && ack.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    // Server-side emits.
    expect((await post(server.url, '/api/emit', { event: 'm:all', to: { all: true } }, { 'x-api-key': API_KEY })).status).toBe(202);
    expect((await post(server.url, '/api/emit', { event: 'm:ops', to: { role: 'ops' } }, { 'x-api-key': API_KEY })).status).toBe(202);
    expect((await post(server.url, '/api/emit', { event: 'm:ops', to: { role: 'ops' } }, { 'x-api-key': 'wrong' })).status).toBe(401);
    await barrier(anon.socket); // the ackless unknown event was counted before this

    samples = await metricSamples(server.url);
    expect({
      connections: value('presently_connections'),
      visitors: value('presently_visitors'),
      held: value('presently_held_connections'),
      pages: value('presently_pages'),
      rooms: value('presently_rooms'),
      authenticated: value('presently_authenticated_sockets'),
    }).toEqual({ connections: 13, visitors: 13, held: 10, pages: 2, rooms: 1, authenticated: 1 });

    const eventsIn = (event: string) => value('presently_events_in_total', { event });
    expect({
      'page:enter': eventsIn('page:enter'),
      'page:watch': eventsIn('page:watch'),
      'room:join': eventsIn('room:join'),
      'room:update': eventsIn('room:update'),
      'stats:unwatch': eventsIn('stats:unwatch'),
      unknown: eventsIn('unknown'),
      'room:leave': eventsIn('room:leave'),
    }).toEqual({ 'page:enter': 12, 'page:watch': 1, 'room:join': 3, 'room:update': 2, 'stats:unwatch': 30 + 2, unknown: 2, 'room:leave': 0 });

    const acks = (event: string, code: string) => value('presently_acks_total', { event, code }) ?? 0;
    expect({
      enterOk: acks('page:enter', 'OK'),
      enterBad: acks('page:enter', 'BAD_REQUEST'),
      joinOk: acks('room:join', 'OK'),
      joinForbidden: acks('room:join', 'FORBIDDEN'),
      updateOk: acks('room:update', 'OK'),
      unknownBad: acks('unknown', 'BAD_REQUEST'),
      unwatchOk: acks('stats:unwatch', 'OK'),
      unwatchLimited: acks('stats:unwatch', 'RATE_LIMITED'),
    }).toEqual({
      enterOk: 11,
      enterBad: 1,
      joinOk: 2,
      joinForbidden: 1,
      updateOk: 2,
      unknownBad: 1,
      unwatchOk: 30 - limited + 2,
      unwatchLimited: limited,
    });
    const ackTotal = samples.filter((s) => s.name === 'presently_acks_total').reduce((sum, s) => sum + s.value, 0);
    expect(ackTotal).toBe(12 + 1 + 3 + 2 + 1 + 30 + 2);

    const eventsOut = (event: string) => value('presently_events_out_total', { event });
    expect({
      session: eventsOut('session'),
      'room:joined': eventsOut('room:joined'),
      'room:updated': eventsOut('room:updated'),
      'room:left': eventsOut('room:left'),
      'page:count': eventsOut('page:count'),
      stats: eventsOut('stats'),
    }).toEqual({ session: 13, 'room:joined': 2, 'room:updated': 1, 'room:left': 0, 'page:count': 2, stats: 0 });
    // Coalescing: 11 count changes (one on /m/a, ten on /m/busy) went out as 2 page:counts.
    expect(value('presently_page_count_changes_total')).toBe(11);

    expect(value('presently_emits_total', { to: 'all' })).toBe(1);
    expect(value('presently_emits_total', { to: 'role' })).toBe(1);
    expect(samples.filter((s) => s.name === 'presently_handshakes_refused_total')).toEqual([]);
  });

  it('keeps the lifecycle gauge in step with signed-in sockets coming and going', async () => {
    const before = sampleValue(await metricSamples(server.url), 'presently_authenticated_sockets') ?? 0;
    const sockets = await Promise.all([1, 2, 3].map(async (i) => (await connect(server.url, { token: await userToken(SECRET, `g${i}`) })).socket));
    await connect(server.url); // anonymous: not counted
    expect(sampleValue(await metricSamples(server.url), 'presently_authenticated_sockets')).toBe(before + 3);
    for (const socket of sockets) socket.disconnect();
    await untilMetric(server.url, 'presently_authenticated_sockets', (n) => n === before);
  });
});

import {
  barrier,
  clientId,
  connect,
  counts,
  equals,
  get,
  key,
  metrics,
  openStream,
  pageCount,
  record,
  request,
  startServer,
  untilMetric,
  useServer,
  waitFor,
} from '@presently/testing';

/** `GET /api/pages/live`: the Server-Sent Events stream of a page's counts, which counts its reader. */

const GRACE_MS = 1000;
type Counts = { page: string; viewers: number; connections: number; active: number };
type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };
const badRequest = { error: { code: 'BAD_REQUEST', message: expect.any(String) } };

describe('GET /api/pages/live', () => {
  const server = useServer({ GRACE_MS: String(GRACE_MS), COUNT_INTERVAL_MS: '50' });

  /** Waits until everything the last test left (held streams included) is gone. */
  const empty = () => untilMetric(server.url, 'presently_connections', (n) => n === 0, GRACE_MS + 10_000);

  it('sends retry: 3000, then session with the clientId, then the count at once, as text/event-stream', async () => {
    const page = key('/live/first');
    const id = clientId('reader');
    const stream = await openStream(server.url, { page, clientId: id });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toMatch(/no-cache/);
    expect(await stream.next('session')).toEqual({ clientId: id });
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
    expect(stream.retry).toBe(3000);
    expect(stream.raw.startsWith(`retry: 3000\n\nevent: session\ndata: {"clientId":"${id}"}\n\nevent: count\ndata: `)).toBe(true);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
  });

  it('assigns a clientId when the query has none or a malformed one', async () => {
    const page = key('/live/assigned');
    for (const query of ['', 'clientId=', 'clientId=bad%20id!', 'clientId=short', `clientId=${'x'.repeat(65)}`, 'clientId=aaaaaaaa1&clientId=bbbbbbbb2']) {
      const stream = await openStream(server.url, { page, query });
      const session = await stream.next<{ clientId: string }>('session');
      expect({ query, clientId: session.clientId }).toEqual({ query, clientId: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/) });
      expect(['aaaaaaaa1', 'bbbbbbbb2']).not.toContain(session.clientId);
    }
    // Six readers, six browsers.
    expect(await pageCount(server.url, page)).toEqual(counts(page, 6, 6));
  });

  it('pushes a count after every change, the same counts a page:count watcher hears', async () => {
    const page = key('/live/changes');
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const heard = record<Counts>(watcher, 'page:count');
    const stream = await openStream(server.url, { page, clientId: clientId('changes') });
    await stream.next('count', equals(counts(page, 1, 1)));

    const { socket: a } = await connect(server.url);
    await request(a, 'page:enter', { page });
    expect(await stream.next('count')).toEqual(counts(page, 2, 2));
    const other = await openStream(server.url, { page, clientId: clientId('changes-other') });
    expect(await other.next('count')).toEqual(counts(page, 3, 3));
    expect(await stream.next('count')).toEqual(counts(page, 3, 3));
    const watcherHears = waitFor(watcher, 'page:count', equals(counts(page, 2, 2)));
    await request(a, 'page:leave', { page });
    expect(await stream.next('count')).toEqual(counts(page, 2, 2));
    await watcherHears;

    const streamed = stream.events.filter((e) => e.event === 'count').map((e) => e.data);
    expect(streamed).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3), counts(page, 2, 2)]);
    expect(heard).toEqual(streamed);
  });

  it('counts a socket and a stream of one browser once as a viewer, twice as a connection', async () => {
    await empty();
    const page = key('/live/dedupe');
    const browser = clientId('dedupe');
    const { socket } = await connect(server.url, { clientId: browser });
    expect(await request(socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    const stream = await openStream(server.url, { page, clientId: browser });
    expect(await stream.next('count')).toEqual(counts(page, 1, 2));
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 2));
    expect((await get<Stats>(server.url, '/api/stats')).body).toEqual({ online: { connections: 2, visitors: 1 }, top: [{ page, viewers: 1 }] });
  });

  it('counts open streams in online stats and top, pushed to stats watchers', async () => {
    await empty();
    const page = key('/live/stats');
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, online: { connections: 1, visitors: 1 }, top: [] });
    const pushed = waitFor<Stats>(watcher, 'stats', equals({ online: { connections: 3, visitors: 3 }, top: [{ page, viewers: 2 }] }));
    await openStream(server.url, { page, clientId: clientId('stats-a') });
    await openStream(server.url, { page, clientId: clientId('stats-b') });
    await pushed;
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 3, presently_visitors: 3, presently_pages: 1 });
  });

  it('holds a closed stream for the grace period: the same browser returning takes its place, without a dip', async () => {
    await empty();
    const page = key('/live/grace');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'page:watch', { pages: [page] });
    const heard = record<Counts>(observer, 'page:count');
    const browser = clientId('returning');

    const first = await openStream(server.url, { page, clientId: browser });
    await waitFor(observer, 'page:count', equals(counts(page, 1, 1)));
    first.close();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));

    // A reconnecting stream takes the held place...
    const second = await openStream(server.url, { page, clientId: browser });
    expect(await second.next('count')).toEqual(counts(page, 1, 1));
    expect((await metrics(server.url)).presently_held_connections).toBe(0);

    // ...and so does a socket of the same browser.
    second.close();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    const { socket } = await connect(server.url, { clientId: browser });
    expect(await request(socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect((await metrics(server.url)).presently_held_connections).toBe(0);

    // A later change is the first thing the observer hears since the stream opened.
    const { socket: newcomer } = await connect(server.url);
    await request(newcomer, 'page:enter', { page });
    await waitFor(observer, 'page:count', equals(counts(page, 2, 2)));
    expect(heard).toEqual([counts(page, 1, 1), counts(page, 2, 2)]);
  });

  it('releases closed streams when the grace runs out: the counts fall and no ghost is left', async () => {
    await empty();
    const page = key('/live/release');
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const five = waitFor(watcher, 'page:count', equals(counts(page, 5, 6)));
    const browsers = [0, 1, 2, 3, 4].map((i) => clientId(`release-${i}`));
    const streams = [];
    // Five browsers, one of them in two tabs.
    for (const browser of [...browsers, browsers[0]]) streams.push(await openStream(server.url, { page, clientId: browser }));
    await five;

    const zero = waitFor(watcher, 'page:count', equals(counts(page, 0, 0)), GRACE_MS + 10_000);
    for (const stream of streams) stream.close();
    await zero;
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 1, presently_visitors: 1, presently_held_connections: 0, presently_pages: 0 });
    expect((await get<Stats>(server.url, '/api/stats')).body).toEqual({ online: { connections: 1, visitors: 1 }, top: [] });
  });

  it('answers a missing or invalid page with 400 BAD_REQUEST as JSON, and counts nobody', async () => {
    await empty();
    for (const query of ['', 'page=', `page=${'x'.repeat(513)}`, 'page=%01bell', 'page=%C2%85nel', 'page=a&page=b', 'page[x]=1', 'room=lobby']) {
      const stream = await openStream(server.url, { query });
      await stream.ended;
      expect({ query, status: stream.status, type: stream.headers['content-type'], body: JSON.parse(stream.raw) }).toEqual({
        query,
        status: 400,
        type: expect.stringMatching(/^application\/json/),
        body: badRequest,
      });
    }
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 0, presently_held_connections: 0 });
  });

  it('answers HEAD with the stream headers, counting nobody', async () => {
    await empty();
    const page = key('/live/head');
    const head = await openStream(server.url, { page, method: 'HEAD' });
    await head.ended;
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
    expect((await metrics(server.url)).presently_connections).toBe(0);
  });

  it('lets a page from any origin read the stream while CORS_ORIGINS is unset', async () => {
    const page = key('/live/any-origin');
    const stream = await openStream(server.url, { page, headers: { origin: 'https://blog.example' } });
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe('https://blog.example');
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
  });

  it('keeps serving sockets while streams come and go', async () => {
    const page = key('/live/mixed');
    const { socket } = await connect(server.url);
    const stream = await openStream(server.url, { page });
    await stream.next('count');
    stream.close();
    expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true, page });
    await barrier(socket);
  });
});

describe('GET /api/pages/live with CORS_ORIGINS', () => {
  const ALLOWED = 'https://blog.example';
  const server = useServer({ CORS_ORIGINS: ALLOWED });

  it('serves and counts a page of an allowed origin, with the CORS header', async () => {
    const page = key('/cors/allowed');
    const stream = await openStream(server.url, { page, headers: { origin: ALLOWED } });
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
  });

  it('serves and counts a reader that sends no Origin (not a browser page of another origin)', async () => {
    const page = key('/cors/none');
    const stream = await openStream(server.url, { page });
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
  });

  it('refuses a page of any other origin with 403 FORBIDDEN, counting nobody', async () => {
    const page = key('/cors/refused');
    const stream = await openStream(server.url, { page, headers: { origin: 'https://evil.example' } });
    await stream.ended;
    expect(stream.status).toBe(403);
    expect(stream.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(stream.raw)).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
  });
});

describe('GET /api/pages/live on shutdown', () => {
  it('ends open streams and exits 0 on SIGTERM', async () => {
    const running = await startServer();
    const stream = await openStream(running.url, { page: '/shutdown' });
    await stream.next('count');
    expect(await running.stop()).toBe(0);
    await stream.ended;
  });
});

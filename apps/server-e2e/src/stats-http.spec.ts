import {
  barrier,
  clientId,
  closeAll,
  connect,
  record,
  request,
  signToken,
  startServer,
  waitFor,
  type RunningServer,
  type TestSocket,
  useServer,
  counts,
  equals,
  get,
  key,
  metrics,
  nowS,
  unsignedToken,
  untilMetric,
  userToken,
} from '@presently/testing';

const SECRET = 'stats-e2e-secret-0123456789abcdef';

type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };

const stats = (connections: number, visitors: number, top: Array<{ page: string; viewers: number }> = []): Stats => ({
  online: { connections, visitors },
  top,
});

describe('global stats', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ JWT_SECRET: SECRET, GRACE_MS: '200', COUNT_INTERVAL_MS: '50' });
  });
  beforeEach(async () => {
    // Each test starts on an empty server (held presences of the last one expire within 200 ms).
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
  });
  afterEach(() => closeAll());
  afterAll(async () => {
    await server.stop();
  });

  it('acks stats:watch with online and top', async () => {
    const page = key('/stats/ack');
    const browser = clientId('browser');
    const { socket: tab1 } = await connect(server.url, { clientId: browser });
    const { socket: tab2 } = await connect(server.url, { clientId: browser });
    await request(tab1, 'page:enter', { page });
    await request(tab2, 'page:enter', { page });
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, ...stats(3, 2, [{ page, viewers: 1 }]) });
    expect(await request(watcher, 'stats:unwatch', {})).toEqual({ ok: true });
  });

  it('pushes stats to watchers when online connections and visitors change', async () => {
    // A page unique to this test, so that every value below is new to the server.
    const page = key('/stats/push');
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:enter', { page });
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, ...stats(1, 1, [{ page, viewers: 1 }]) });

    const browser = clientId('pushed');
    let next = waitFor<Stats>(watcher, 'stats', equals(stats(2, 2, [{ page, viewers: 1 }])));
    const { socket: tab1 } = await connect(server.url, { clientId: browser });
    await next;
    next = waitFor<Stats>(watcher, 'stats', equals(stats(3, 2, [{ page, viewers: 1 }])));
    await connect(server.url, { clientId: browser });
    await next;
    next = waitFor<Stats>(watcher, 'stats', equals(stats(3, 2, [{ page, viewers: 2 }])));
    await request(tab1, 'page:enter', { page });
    await next;

    // Watched pages and pages entered then left have no viewers: not in top.
    const watched = key('/stats/only-watched');
    const left = key('/stats/left');
    await request(tab1, 'page:watch', { pages: [watched] });
    await request(tab1, 'page:enter', { page: left });
    next = waitFor<Stats>(watcher, 'stats', equals(stats(2, 2, [{ page, viewers: 1 }])));
    await request(tab1, 'page:leave', { page: left });
    tab1.disconnect();
    await next;
  });

  it('orders top by viewers descending then page ascending, at most 10, without empty pages', async () => {
    const base = key('/top');
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 12; i++) sockets.push((await connect(server.url, { clientId: clientId(`top${i}`) })).socket);
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'stats:watch', {});

    // Page p<k> gets k viewers (sockets 0..k-1), k = 1..12; entered in an order unrelated to the ranking.
    const pageOf = (k: number) => `${base}/p${String(k).padStart(2, '0')}`;
    for (const k of [7, 1, 12, 3, 10, 5, 9, 2, 11, 4, 8, 6]) {
      for (let i = 0; i < k; i++) await request(sockets[i], 'page:enter', { page: pageOf(k) });
    }
    const top12 = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((k) => ({ page: pageOf(k), viewers: k }));
    await waitFor<Stats>(watcher, 'stats', equals(stats(13, 13, top12)));
    expect((await get(server.url, '/api/stats')).body).toEqual(stats(13, 13, top12));

    // Ties: a page with 12 viewers whose key sorts first, and one at the cut with 3.
    const first = `${base}/a-tie`;
    const cut = `${base}/z-tie`;
    for (let i = 0; i < 12; i++) await request(sockets[i], 'page:enter', { page: first });
    for (let i = 0; i < 3; i++) await request(sockets[i], 'page:enter', { page: cut });
    const withTies = [
      { page: first, viewers: 12 },
      { page: pageOf(12), viewers: 12 },
      ...[11, 10, 9, 8, 7, 6, 5, 4].map((k) => ({ page: pageOf(k), viewers: k })),
    ];
    await waitFor<Stats>(watcher, 'stats', equals(stats(13, 13, withTies)));

    // Everyone leaves everything but p01: pages with 0 viewers drop out.
    for (let i = 0; i < 12; i++) {
      for (const page of [first, cut, ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(pageOf)]) {
        await request(sockets[i], 'page:leave', { page });
      }
    }
    await waitFor<Stats>(watcher, 'stats', equals(stats(13, 13, [{ page: pageOf(1), viewers: 1 }])));
    expect((await get(server.url, '/api/stats')).body).toEqual(stats(13, 13, [{ page: pageOf(1), viewers: 1 }]));
  });

  it('stops pushing stats after stats:unwatch', async () => {
    const page = key('/stats/unwatch');
    const { socket: stays } = await connect(server.url);
    const { socket: goes } = await connect(server.url);
    await request(stays, 'stats:watch', {});
    await request(goes, 'stats:watch', {});
    expect(await request(goes, 'stats:unwatch', {})).toEqual({ ok: true });
    const afterUnwatch = record<Stats>(goes, 'stats');

    const next = waitFor<Stats>(stays, 'stats', equals(stats(3, 3, [{ page, viewers: 1 }])));
    const { socket: x } = await connect(server.url);
    await request(x, 'page:enter', { page });
    await next;
    await barrier(goes);
    expect(afterUnwatch).toEqual([]);
  });
});

describe('global stats: a watcher after a quiet spell', () => {
  const server = useServer({});

  it('pushes a change to a new watcher even when an earlier watcher was sent the same value', async () => {
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, ...stats(1, 1) });
    let next = waitFor<Stats>(watcher, 'stats', equals(stats(2, 2)));
    const { socket: x } = await connect(server.url);
    await next;
    expect(await request(watcher, 'stats:unwatch', {})).toEqual({ ok: true });

    // While nobody watches, x goes away: online is 1 again.
    x.disconnect();
    await untilMetric(server.url, 'presently_connections', (n) => n === 1);

    // Watching again: the ack says 1; another visitor makes it 2, which must be pushed.
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, ...stats(1, 1) });
    next = waitFor<Stats>(watcher, 'stats', equals(stats(2, 2)), 4000);
    await connect(server.url);
    await next;
  });
});

describe('HTTP', () => {
  const server = useServer({ JWT_SECRET: SECRET, GRACE_MS: '200' });

  const badRequest = { error: { code: 'BAD_REQUEST', message: expect.any(String) } };

  it('GET /api/pages/count answers a page’s counts', async () => {
    const page = key('/blog/hello world?x=1&y=ü#frag');
    const browser = clientId('http');
    for (const id of [browser, browser, clientId('http-other')]) {
      const { socket } = await connect(server.url, { clientId: id });
      await request(socket, 'page:enter', { page });
    }
    const answer = await get(server.url, `/api/pages/count?page=${encodeURIComponent(page)}`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/application\/json/);
    expect(answer.body).toEqual(counts(page, 2, 3));

    const unknown = key('/nobody/here');
    expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(unknown)}`)).body).toEqual(counts(unknown, 0, 0));
  });

  it('answers a missing or invalid page or room query with 400 BAD_REQUEST', async () => {
    const invalid = ['', '?page=', `?page=${'x'.repeat(513)}`, '?page=%01bell', '?page=%C2%85nel', '?page=%7F', '?page=a&page=b', '?room=lobby'];
    for (const query of invalid) {
      const answer = await get(server.url, `/api/pages/count${query}`);
      expect({ query, status: answer.status, body: answer.body }).toEqual({ query, status: 400, body: badRequest });
    }
    for (const query of invalid.map((q) => q.replace(/page=/g, 'room=').replace('?room=lobby', '?page=lobby'))) {
      const answer = await get(server.url, `/api/rooms/members${query}`);
      expect({ query, status: answer.status, body: answer.body }).toEqual({ query, status: 400, body: badRequest });
    }
    // The longest valid key is fine.
    expect((await get(server.url, `/api/pages/count?page=${'x'.repeat(512)}`)).status).toBe(200);
  });

  it('GET /api/rooms/members answers a public room’s members', async () => {
    const room = key('lobby');
    const { socket: a } = await connect(server.url);
    const { socket: b } = await connect(server.url, { token: await userToken(SECRET, 'bo', { name: 'Bo' }) });
    await request(a, 'room:join', { room, profile: { name: 'Al', meta: { seat: 3 } } });
    const ack = await request(b, 'room:join', { room, profile: { status: 'away' } });
    const answer = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ room, members: ack.members, total: 2 });
    expect(answer.body.members).toHaveLength(2);
    const empty = key('empty-room');
    expect((await get(server.url, `/api/rooms/members?room=${encodeURIComponent(empty)}`)).body).toEqual({ room: empty, members: [], total: 0 });
  });

  it('GET /api/rooms/members guards private: and role: rooms with the Bearer token', async () => {
    const privateRoom = `private:${key('team')}`;
    const roleRoom = `role:admin:${key('ops')}`;
    const adminToken = await userToken(SECRET, 'root', { roles: ['admin'] });
    const plainToken = await userToken(SECRET, 'pat');
    const editorToken = await userToken(SECRET, 'ed', { roles: ['editor'] });
    const { socket: admin } = await connect(server.url, { token: adminToken });
    const privateAck = await request(admin, 'room:join', { room: privateRoom });
    const roleAck = await request(admin, 'room:join', { room: roleRoom });
    expect(roleAck).toMatchObject({ ok: true });

    const unauthorized = { error: { code: 'UNAUTHORIZED', message: expect.any(String) } };
    const forbidden = { error: { code: 'FORBIDDEN', message: expect.any(String) } };
    const ask = (room: string, authorization?: string) =>
      get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`, authorization ? { authorization } : {});
    const expired = await signToken(SECRET, { sub: 'root', roles: ['admin'], exp: nowS() - 3600 });
    const otherSecret = await userToken('not-the-secret-0123456789abcdef', 'root', { roles: ['admin'] });
    const none = unsignedToken({ sub: 'root', roles: ['admin'], exp: nowS() + 3600 });

    for (const room of [privateRoom, roleRoom, 'role:admin']) {
      for (const authorization of [undefined, 'Bearer', 'Bearer ', 'Bearer garbage', `Basic ${adminToken}`, adminToken, `Bearer ${expired}`, `Bearer ${otherSecret}`, `Bearer ${none}`]) {
        const answer = await ask(room, authorization);
        expect({ room, authorization, status: answer.status, body: answer.body }).toEqual({ room, authorization, status: 401, body: unauthorized });
      }
    }
    for (const token of [plainToken, editorToken]) {
      const answer = await ask(roleRoom, `Bearer ${token}`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 403, body: forbidden });
    }
    const okPrivate = await ask(privateRoom, `Bearer ${plainToken}`);
    expect({ status: okPrivate.status, body: okPrivate.body }).toEqual({ status: 200, body: { room: privateRoom, members: privateAck.members, total: privateAck.total } });
    const okRole = await ask(roleRoom, `Bearer ${adminToken}`);
    expect({ status: okRole.status, body: okRole.body }).toEqual({ status: 200, body: { room: roleRoom, members: roleAck.members, total: roleAck.total } });
    expect((await ask('role:admin', `Bearer ${adminToken}`)).status).toBe(200);
    expect((await ask('role:admin', `Bearer ${editorToken}`)).status).toBe(403);
  });

  it('GET /api/stats answers the stats shape', async () => {
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
    const page = key('/http/stats');
    const { socket: a } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    await request(a, 'page:enter', { page });
    const answer = await get(server.url, '/api/stats');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(stats(2, 2, [{ page, viewers: 1 }]));
    const { ok, ...pushed } = await request(watcher, 'stats:watch', {});
    expect(ok).toBe(true);
    expect(pushed).toEqual(answer.body);
  });

  it('answers /healthz and /readyz with 200', async () => {
    expect((await get(server.url, '/healthz')).status).toBe(200);
    expect((await get(server.url, '/readyz')).status).toBe(200);
  });

  it('exposes presently_connections in /metrics with the right value', async () => {
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
    const browser = clientId('metrics');
    const { socket: tab1 } = await connect(server.url, { clientId: browser });
    await connect(server.url, { clientId: browser });
    const { socket: watcher } = await connect(server.url);
    const answer = await get(server.url, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/plain/);
    expect(answer.text).toMatch(/^presently_connections 3$/m);
    expect(answer.text).toMatch(/^presently_visitors 2$/m);
    expect(answer.text).toMatch(/^# TYPE presently_connections gauge$/m);

    // A held connection still counts, until its grace runs out.
    const page = key('/metrics/held');
    await request(watcher, 'page:watch', { pages: [page] });
    await request(tab1, 'page:enter', { page });
    const expired = waitFor(watcher, 'page:count', equals(counts(page, 0, 0)));
    tab1.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    expect((await metrics(server.url)).presently_connections).toBe(3);
    await expired;
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 2, presently_visitors: 2, presently_held_connections: 0 });
  });
});

import {
  barrier,
  clientId,
  connect,
  key,
  metrics,
  openStream,
  pageCount,
  record,
  request,
  untilMetric,
  useCluster,
  useServer,
  userToken,
  type PageCounts,
  type TestSocket,
} from '@presently/testing';

/**
 * Held places (presence kept for GRACE_MS after a disconnect) count against
 * their address: one address never shows more viewers than
 * MAX_CONNECTIONS_PER_IP, and a new connection at the limit ends the
 * address's oldest held place (as if its grace ran out) instead of being
 * refused, so a reload at the limit works. Each address is its own
 * X-Forwarded-For entry behind TRUST_PROXY=1.
 */
const LIMIT = 5;
const SECRET = 'held-places-secret-0123456789abcdef';
const env = { MAX_CONNECTIONS_PER_IP: String(LIMIT), TRUST_PROXY: '1', GRACE_MS: '60000', COUNT_INTERVAL_MS: '50', JWT_SECRET: SECRET };

/** Socket.IO's packet type for leaving a namespace. */
const SOCKET_IO_DISCONNECT = 1;

let nextAddress = 10;
const newAddress = () => ({ 'x-forwarded-for': `203.0.113.${nextAddress++}` });

type Left = { room: string; userId: string; reason: string };

/**
 * The attack: sockets and streams with fresh clientIds enter a page and
 * close, LIMIT at a time, round after round. A watcher from another address
 * records every page:count; neither it nor GET /api/pages/count may ever
 * see more than LIMIT viewers.
 */
async function inflate(url: string): Promise<void> {
  const page = key('/held/attacked');
  const attacker = newAddress();
  const { socket: watcher } = await connect(url, { headers: newAddress() });
  const seen = record<PageCounts>(watcher, 'page:count');
  await request(watcher, 'page:watch', { pages: [page] });

  for (let round = 0; round < 6; round++) {
    const sockets: TestSocket[] = [];
    const streams = [];
    for (let i = 0; i < LIMIT; i++) {
      if (i < 2) {
        const stream = await openStream(url, { page, clientId: clientId('stream'), headers: attacker });
        expect(stream.status).toBe(200);
        await stream.next('count');
        streams.push(stream);
      } else {
        const { socket } = await connect(url, { clientId: clientId('fresh'), headers: attacker });
        expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });
        sockets.push(socket);
      }
      expect((await pageCount(url, page)).viewers).toBeLessThanOrEqual(LIMIT);
    }
    for (const socket of sockets) socket.disconnect();
    for (const stream of streams) stream.close();
    // Only the watcher's session is left open.
    await untilMetric(url, 'presently_address_connections', (n) => n === 1);
    expect(await pageCount(url, page)).toEqual({ page, viewers: LIMIT, connections: LIMIT, active: LIMIT });
  }
  await barrier(watcher);
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.max(...seen.map((c) => c.viewers))).toBe(LIMIT);
}

describe('held places per address', () => {
  const server = useServer(env);

  it('never lets one address show more viewers than its limit (sockets and streams entering and closing)', async () => {
    await inflate(server.url);
  }, 60_000);

  it('a connection at the limit ends the oldest held place (room:left disconnect); a reload at the limit takes its own place back', async () => {
    const page = key('/held/reload');
    const room = key('held-reload');
    const { socket: observer } = await connect(server.url, { headers: newAddress() });
    const left = record<Left>(observer, 'room:left');
    await request(observer, 'room:join', { room });

    const address = newAddress();
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => key(u));
    const clients = users.map(() => clientId('held'));
    const sockets: TestSocket[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const { socket } = await connect(server.url, { clientId: clients[i], token: await userToken(SECRET, users[i]), headers: address });
      await request(socket, 'page:enter', { page });
      expect(await request(socket, 'room:join', { room })).toMatchObject({ ok: true });
      sockets.push(socket);
    }
    const heldBefore = async (n: number) => untilMetric(server.url, 'presently_held_connections', (held) => held >= n);
    // The first test's places are still held (GRACE_MS is a minute).
    const baseline = (await metrics(server.url)).presently_held_connections;
    sockets[0].disconnect();
    await heldBefore(baseline + 1);
    sockets[1].disconnect();
    await heldBefore(baseline + 2);

    // A new tab at the limit (3 open, 2 held): admitted, the oldest held place (u1) ends as if its grace ran out.
    const { socket: newTab } = await connect(server.url, { clientId: clientId('new-tab'), token: await userToken(SECRET, key('u6')), headers: address });
    await request(newTab, 'page:enter', { page });
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: LIMIT, connections: LIMIT, active: LIMIT });

    // u3 reloads at the limit (3 open, 2 held): u2's place, now the oldest, ends; u3 takes its own back silently.
    sockets[2].disconnect();
    await heldBefore(baseline + 2);
    const { socket: reloaded } = await connect(server.url, { clientId: clients[2], token: await userToken(SECRET, users[2]), headers: address });
    await request(reloaded, 'page:enter', { page });
    expect(await request(reloaded, 'room:join', { room })).toMatchObject({ ok: true });
    await barrier(observer);
    expect(left).toEqual([
      { room, userId: users[0], reason: 'disconnect', duration: expect.any(Number) },
      { room, userId: users[1], reason: 'disconnect', duration: expect.any(Number) },
    ]);
    // u4, u5, the new tab and u3 again; nothing of this address is held any more.
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: LIMIT - 1, connections: LIMIT - 1, active: LIMIT - 1 });
  });

  it('a socket whose namespace disconnect arrives before its transport closes is held, not also still open: the next connection at the limit ends one held place', async () => {
    const page = key('/held/session-open');
    const address = newAddress();
    const users = ['s1', 's2', 's3', 's4', 's5'].map((u) => key(u));
    const sockets: TestSocket[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const { socket } = await connect(server.url, { clientId: clientId('open'), token: await userToken(SECRET, users[i]), headers: address });
      await request(socket, 'page:enter', { page });
      sockets.push(socket);
    }
    const baseline = (await metrics(server.url)).presently_held_connections;
    sockets[0].disconnect();
    await untilMetric(server.url, 'presently_held_connections', (held) => held >= baseline + 1);
    // s2 sends the namespace's DISCONNECT packet and keeps its transport open: the moment between the two, held open.
    const closed = new Promise((resolve) => sockets[1].io.once('close', resolve));
    (sockets[1] as unknown as { packet(packet: { type: number }): void }).packet({ type: SOCKET_IO_DISCONNECT });
    await untilMetric(server.url, 'presently_held_connections', (held) => held >= baseline + 2);

    // 3 open and 2 held: the new tab ends the oldest held place (s1) and only it.
    const { socket: newTab } = await connect(server.url, { clientId: clientId('new-tab'), token: await userToken(SECRET, key('s6')), headers: address });
    await request(newTab, 'page:enter', { page });
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: LIMIT, connections: LIMIT, active: LIMIT });
    // A session whose last /presence socket left has nothing left to do: the server closes it.
    await closed;
  });
});

describe('held places per address with REDIS_URL', () => {
  const cluster = useCluster(1, (redis) => ({ ...env, REDIS_URL: redis.url }));

  it('keeps the cluster-wide count within the limit: a held place ended early is withdrawn like an expired one', async () => {
    await inflate(cluster.servers[0].url);
  }, 60_000);
});


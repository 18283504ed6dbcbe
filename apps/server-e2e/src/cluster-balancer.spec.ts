import {
  clientId,
  closeAll,
  closeStreams,
  connect,
  connectError,
  counts,
  countArrived,
  key,
  metricSamples,
  metrics,
  pageCount,
  record,
  request,
  sampleValue,
  startHaproxy,
  startRedis,
  startServer,
  startTcpProxy,
  until,
  useCluster,
  useHaproxy,
  watchPage,
  type ConnectOptions,
  type RunningHaproxy,
  type RunningRedis,
  type RunningServer,
  type TcpProxy,
  type TestSocket,
} from '@presently/testing';

/**
 * The server processes behind Debian's HAProxy with the repository's
 * configuration (tools/haproxy/presently.cfg), as `npm run start:cluster`
 * runs them: long-polling sticks to its process by cookie, websockets pass,
 * per-address limits see the clients' addresses, a stopping process leaves
 * the rotation, and a Redis outage does not empty it.
 */

const clusterEnv = (env: Record<string, string> = {}) => (redis: RunningRedis) => ({
  REDIS_URL: redis.url,
  TRUST_PROXY: '1',
  COUNT_INTERVAL_MS: '50',
  ...env,
});

const polling: ConnectOptions = { transports: ['polling'] };

/** A socket through the balancer that entered `page`, and the `disconnect`s it hears. */
async function enterThrough(url: string, page: string, options: ConnectOptions = {}): Promise<{ socket: TestSocket; disconnects: string[] }> {
  const { socket } = await connect(url, { clientId: clientId(), ...options });
  const disconnects = record<string>(socket, 'disconnect');
  const ack = await request(socket, 'page:enter', { page });
  if (!ack.ok) throw new Error(`page:enter refused: ${JSON.stringify(ack)}`);
  return { socket, disconnects };
}

/** The transport a socket uses now. */
const transportOf = (socket: TestSocket) => socket.io.engine.transport.name;

/** How many open connections each process holds (its own; held places are not open). */
const connectionsOn = (servers: RunningServer[]) =>
  Promise.all(
    servers.map(async (server) => {
      const gauges = await metrics(server.url);
      return gauges.presently_connections - gauges.presently_held_connections;
    }),
  );

describe('through HAProxy', () => {
  const cluster = useCluster(2, clusterEnv());
  const balancer = useHaproxy(cluster);

  it('long-polling and websocket clients land on both processes and see the cluster-wide counts', async () => {
    const page = key('/balancer/counts');
    const watching = await watchPage(balancer.url, page);
    const clients = [];
    for (let i = 0; i < 3; i += 1) {
      clients.push(await enterThrough(balancer.url, page, polling));
      clients.push(await enterThrough(balancer.url, page));
    }
    await countArrived(watching, counts(page, 6, 6));
    expect(clients.map(({ socket }) => transportOf(socket))).toEqual(['polling', 'websocket', 'polling', 'websocket', 'polling', 'websocket']);
    const [first, second] = await connectionsOn(cluster.servers);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    expect(first + second).toBe(7);
    expect(await pageCount(balancer.url, page)).toEqual(counts(page, 6, 6));
    for (const server of cluster.servers) expect(await pageCount(server.url, page)).toEqual(counts(page, 6, 6));

    // Many long-polling round trips later (a leave, its acks and counts), every session is still on its process.
    const [leaving] = clients;
    expect(await request(leaving.socket, 'page:leave', { page })).toEqual({ ok: true, page });
    await countArrived(watching, counts(page, 5, 5));
    for (const { socket } of clients) expect(await request(socket, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 5, 5)] });
    expect(clients.flatMap(({ disconnects }) => disconnects)).toEqual([]);
  });

  it('sends a client that carries a process\'s sticky cookie to that process', async () => {
    const page = key('/balancer/cookie');
    await until(async () => (await connectionsOn(cluster.servers)).every((n) => n === 0), 'the last test\'s connections are closed');
    for (const [index, name] of [[1, 'p2'], [0, 'p1'], [1, 'p2']] as const) {
      const before = await connectionsOn(cluster.servers);
      await enterThrough(balancer.url, page, { ...polling, headers: { cookie: `presently_server=${name}` } });
      const after = await connectionsOn(cluster.servers);
      expect(after[index] - before[index]).toBe(1);
      expect(after[1 - index]).toBe(before[1 - index]);
    }
  });
});

describe('per-address limits behind HAProxy', () => {
  const cluster = useCluster(2, clusterEnv({ MAX_CONNECTIONS_PER_IP: '2' }));
  const balancer = useHaproxy(cluster);

  const refusedForLimit = async () => {
    const all = await Promise.all(cluster.servers.map((server) => metricSamples(server.url)));
    return all.reduce((sum, samples) => sum + (sampleValue(samples, 'presently_handshakes_refused_total', { reason: 'LIMIT_EXCEEDED' }) ?? 0), 0);
  };

  it('refuse the address over its limit while another address is still admitted', async () => {
    // Two places per process: the first address is refused at the latest at its fifth connection.
    const admitted: TestSocket[] = [];
    let refusal: Error | undefined;
    for (let attempt = 0; attempt < 5 && !refusal; attempt += 1) {
      try {
        admitted.push((await connect(balancer.url, { localAddress: '127.0.0.2', transports: attempt % 2 ? ['polling'] : ['websocket'] })).socket);
      } catch (error) {
        refusal = error as Error;
      }
    }
    expect(refusal).toBeDefined();
    expect(admitted.length).toBeGreaterThanOrEqual(2);
    expect(admitted.length).toBeLessThanOrEqual(4);
    expect(await refusedForLimit()).toBe(1);

    // Another address is admitted on either process, over websocket or long-polling.
    const { socket, session } = await connect(balancer.url, { localAddress: '127.0.0.3' });
    expect(session.clientId).toBeTruthy();
    expect((await request(socket, 'page:enter', { page: key('/balancer/limits') })).ok).toBe(true);
    await connect(balancer.url, { localAddress: '127.0.0.3', transports: ['polling'] });
    expect(await refusedForLimit()).toBe(1);

    // And the first address is still refused.
    await connectError(balancer.url, { localAddress: '127.0.0.2' });
    expect(await refusedForLimit()).toBe(2);
  });
});

describe('a process that stops, behind HAProxy', () => {
  // The stopping process keeps listening while it hands its users over
  // (until their grace period ends), so it is the check, not a refused
  // connection, that takes it out of the rotation.
  const cluster = useCluster(2, clusterEnv({ GRACE_MS: '10000', SHUTDOWN_TIMEOUT_MS: '30000' }));
  const balancer = useHaproxy(cluster);

  it('leaves the rotation: new clients land on the other one, and sessions there are not cut', async () => {
    const { servers } = cluster;
    const page = key('/balancer/stop');
    // Clients through the balancer, two over websocket then two over long-polling and so on, until
    // each process holds both kinds (the balancer sends each to the process with fewer connections).
    const placed: Array<{ client: Awaited<ReturnType<typeof enterThrough>>; on: number; transport: string }> = [];
    const holdsBoth = (on: number) => ['websocket', 'polling'].every((t) => placed.some((p) => p.on === on && p.transport === t));
    for (let i = 0; i < 16 && !(holdsBoth(0) && holdsBoth(1)); i += 1) {
      const before = await connectionsOn(servers);
      const client = await enterThrough(balancer.url, page, Math.floor(i / 2) % 2 ? polling : {});
      const after = await connectionsOn(servers);
      placed.push({ client, on: after.findIndex((n, index) => n === before[index] + 1), transport: transportOf(client.socket) });
    }
    expect(holdsBoth(0) && holdsBoth(1)).toBe(true);
    const [victim, survivor] = servers;
    const onVictim = placed.filter((p) => p.on === 0).map((p) => p.client);
    const staying = placed.filter((p) => p.on === 1).map((p) => p.client);
    expect(await pageCount(survivor.url, page)).toEqual(counts(page, placed.length, placed.length));
    const watching = await watchPage(survivor.url, page);

    void victim.stop();
    await Promise.all(onVictim.map(({ socket }) => new Promise((resolve) => socket.once('disconnect', resolve))));
    await balancer.untilStatus('presently_ready', 'p1', 'DOWN');
    await balancer.untilStatus('presently_serving', 'p1', 'DOWN');
    // Still running, handing over: its users' places are held for the grace period.
    expect(victim.process.exitCode).toBeNull();
    expect((await metrics(victim.url)).presently_held_connections).toBe(onVictim.length);

    // New clients, one of them carrying the sticky cookie of the stopping process.
    const connectionsBefore = (await metrics(survivor.url)).presently_connections;
    await enterThrough(balancer.url, page);
    await enterThrough(balancer.url, page, polling);
    await enterThrough(balancer.url, page, { ...polling, headers: { cookie: 'presently_server=p1' } });
    expect((await metrics(survivor.url)).presently_connections).toBe(connectionsBefore + 3);
    const total = placed.length + 3;
    await countArrived(watching, counts(page, total, total));

    // The sessions on the other process were never cut and still answer.
    for (const { socket } of staying) expect(await request(socket, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, total, total)] });
    expect(staying.flatMap(({ disconnects }) => disconnects)).toEqual([]);
    expect(staying.every(({ socket }) => socket.connected)).toBe(true);
  }, 60_000);
});

describe('a Redis outage, behind HAProxy', () => {
  const cluster = useCluster(2, clusterEnv());
  const balancer = useHaproxy(cluster);

  it('keeps every process in rotation: established sessions stay, new clients are admitted', async () => {
    const page = key('/balancer/outage');
    const established = [await enterThrough(balancer.url, page), await enterThrough(balancer.url, page, polling)];
    await cluster.redis.stop();
    for (const server of ['p1', 'p2'] as const) await balancer.untilStatus('presently_ready', server, 'DOWN');
    for (const server of ['p1', 'p2'] as const) expect(await balancer.status('presently_serving', server)).toBe('UP');

    // New clients are admitted and served (each process answers with its own figures meanwhile).
    const admitted = [await enterThrough(balancer.url, page), await enterThrough(balancer.url, page, polling)];
    const [first, second] = await connectionsOn(cluster.servers);
    expect(first + second).toBe(4);
    for (const { socket } of [...established, ...admitted]) expect((await request(socket, 'page:watch', { pages: [page] })).ok).toBe(true);
    expect([...established, ...admitted].flatMap(({ disconnects }) => disconnects)).toEqual([]);

    // Redis back (empty): both processes rebuild, are ready again, and the counts are whole.
    await cluster.redis.start();
    for (const server of ['p1', 'p2'] as const) await balancer.untilStatus('presently_ready', server, 'UP');
    await until(async () => (await pageCount(balancer.url, page)).viewers === 4, 'the cluster counts 4 viewers again', 20_000);
    expect([...established, ...admitted].flatMap(({ disconnects }) => disconnects)).toEqual([]);
  }, 60_000);
});

describe('a process cut off from Redis, behind HAProxy', () => {
  // p1 reaches Redis through a link the test cuts; p2 directly.
  let redis: RunningRedis;
  let link: TcpProxy;
  let cut: RunningServer;
  let healthy: RunningServer;
  let balancer: RunningHaproxy;

  beforeAll(async () => {
    redis = await startRedis();
    link = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
    [cut, healthy] = await Promise.all([
      startServer(clusterEnv({ REDIS_URL: `redis://127.0.0.1:${link.port}` })(redis)),
      startServer(clusterEnv()(redis)),
    ]);
    balancer = await startHaproxy([cut, healthy]);
  }, 60_000);
  afterEach(() => {
    closeAll();
    closeStreams();
  });
  afterAll(async () => {
    await balancer?.stop();
    await Promise.all([cut?.stop(), healthy?.stop()]);
    await link?.close();
    await redis?.dispose();
  });

  it('gets no new clients while the other is ready, and keeps serving its sessions, long-polling included', async () => {
    const page = key('/balancer/partition');
    const toCut = { headers: { cookie: 'presently_server=p1' } };
    const established = [await enterThrough(balancer.url, page, toCut), await enterThrough(balancer.url, page, { ...polling, ...toCut })];
    expect(await connectionsOn([cut, healthy])).toEqual([2, 0]);

    link.cut();
    await balancer.untilStatus('presently_ready', 'p1', 'DOWN');
    expect(await balancer.status('presently_serving', 'p1')).toBe('UP');
    expect(await balancer.status('presently_ready', 'p2')).toBe('UP');

    // Requests of its established sessions still reach it (the long-polling one makes a request per round trip).
    for (let round = 0; round < 3; round += 1) {
      for (const { socket } of established) expect((await request(socket, 'page:watch', { pages: [page] })).ok).toBe(true);
    }
    // New clients go to the process that is ready, even one carrying the cut process's cookie.
    await enterThrough(balancer.url, page);
    await enterThrough(balancer.url, page, polling);
    await enterThrough(balancer.url, page, { ...polling, ...toCut });
    expect(await connectionsOn([cut, healthy])).toEqual([2, 3]);
    expect(established.flatMap(({ disconnects }) => disconnects)).toEqual([]);

    link.restore();
    await balancer.untilStatus('presently_ready', 'p1', 'UP');
    await until(async () => (await pageCount(balancer.url, page)).viewers === 5, 'the cluster counts 5 viewers again', 20_000);
    for (const { socket } of established) expect((await request(socket, 'page:watch', { pages: [page] })).ok).toBe(true);
    expect(established.flatMap(({ disconnects }) => disconnects)).toEqual([]);
  }, 60_000);
});

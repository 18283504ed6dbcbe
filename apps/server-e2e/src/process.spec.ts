import { barrier, runServerExpectingExit, clientId, closeAll, connect, request, startServer, waitFor, type RunningServer } from '@presently/testing';

/**
 * The built server as a process: it refuses a bad configuration at start-up,
 * stops cleanly on SIGTERM, and its default log is quiet JSON.
 */

describe('start-up refuses a bad configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '1.5'],
    ['GRACE_MS', '-1'],
    ['GRACE_MS', 'soon'],
    ['COUNT_INTERVAL_MS', 'x'],
    ['COUNT_INTERVAL_MS', '-250'],
    ['MAX_HTTP_BUFFER_SIZE', '1000'],
    ['MAX_HTTP_BUFFER_SIZE', '65535'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'],
    // Shorter than 16 characters.
    ['ANON_ID_SECRET', '0123456789abcde'],
  ])('%s=%s: exits non-zero with a message naming the variable', async (name, value) => {
    const { code, signal, output } = await runServerExpectingExit({ [name]: value });
    expect(signal).toBeNull(); // it exited by itself, it was not killed for hanging
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(new RegExp(`\\b${name}\\b`));
    expect(output).not.toMatch(/"msg":"listening"/);
    // A configuration mistake is explained, not dumped as a stack trace.
    expect(output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  });

  it('names every offending variable when several are wrong', async () => {
    const { code, output } = await runServerExpectingExit({ PORT: 'abc', GRACE_MS: '-1', LOG_LEVEL: 'loud' });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    for (const name of ['PORT', 'GRACE_MS', 'LOG_LEVEL']) expect(output).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('starts at the boundary MAX_HTTP_BUFFER_SIZE=65536 (the refusals above are about the values)', async () => {
    const server = await startServer({ MAX_HTTP_BUFFER_SIZE: '65536', GRACE_MS: '0', COUNT_INTERVAL_MS: '0' });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('SIGTERM', () => {
  afterEach(() => closeAll());

  it.each(['SIGTERM', 'SIGINT'] as const)('%s with connected sockets: clients see a disconnect and the process exits 0', async (signal) => {
    const server = await startServer();
    const closed = new Promise<void>((resolve) => server.process.once('close', () => resolve()));
    try {
      const a = await connect(server.url, { clientId: clientId('term-a') });
      const b = await connect(server.url, { clientId: clientId('term-b') });
      expect(await request(a.socket, 'page:enter', { page: '/term' })).toMatchObject({ ok: true, viewers: 1 });
      expect(await request(b.socket, 'room:join', { room: 'term-room' })).toMatchObject({ ok: true });
      expect(await request(b.socket, 'stats:watch', {})).toMatchObject({ ok: true });

      const aGone = waitFor(a.socket, 'disconnect', () => true, 10_000);
      const bGone = waitFor(b.socket, 'disconnect', () => true, 10_000);
      server.process.kill(signal);
      expect(await server.exited).toBe(0);
      await Promise.all([aGone, bGone]);
      expect(a.socket.connected).toBe(false);
      expect(b.socket.connected).toBe(false);
      await closed;
      // Shutdown is logged as JSON like everything else.
      for (const line of server.output) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await server.stop();
    }
  });
});

describe('the default log (LOG_LEVEL=info)', () => {
  let server: RunningServer;

  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  it('is quiet JSON: a couple of start-up lines, nothing for ordinary traffic or bad input', async () => {
    server = await startServer();
    const closed = new Promise<void>((resolve) => server.process.once('close', () => resolve()));
    const startUp = [...server.output];
    expect(startUp.length).toBeGreaterThanOrEqual(1);
    expect(startUp.length).toBeLessThanOrEqual(2);

    // Ordinary traffic, bad input and disconnects.
    const sockets = [];
    for (let i = 0; i < 10; i++) sockets.push((await connect(server.url, { clientId: clientId('quiet') })).socket);
    for (const [i, socket] of sockets.entries()) {
      expect(await request(socket, 'page:enter', { page: `/quiet/${i % 3}` })).toMatchObject({ ok: true });
      expect(await request(socket, 'room:join', { room: 'quiet', profile: { name: `Q${i}` } })).toMatchObject({ ok: true });
      expect(await request(socket, 'page:enter', null)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(await request(socket, 'room:join', { room: 'quiet', profile: { meta: { k: 'a'.repeat(2000) } } })).toMatchObject({
        ok: false,
        error: { code: 'LIMIT_EXCEEDED' },
      });
      expect(await request(socket, 'no:such:event', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(await request(socket, 'room:join', { room: 'private:x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect((await fetch(`${server.url}/api/pages/count?page=/quiet/0`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/pages/count`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/rooms/members?room=private:x`)).status).toBe(401);
    // As an API client asks (a browser asking for HTML gets the web app's index.html when the demo is built).
    expect((await fetch(`${server.url}/no/such/route`, { headers: { accept: 'application/json' } })).status).toBe(404);
    for (const socket of sockets.slice(0, 5)) socket.disconnect();
    await barrier(sockets[9]);

    expect(await server.stop()).toBe(0);
    await closed;
    // Between 'listening' and the start of shutdown the server said nothing.
    const msgs = server.output.map((line) => (JSON.parse(line) as { msg?: string }).msg);
    const shutdown = msgs.indexOf('shutting down');
    expect(shutdown).toBeGreaterThan(-1);
    expect(server.output.slice(startUp.length, shutdown)).toEqual([]);
    for (const line of server.output) {
      let entry: unknown;
      expect(() => (entry = JSON.parse(line))).not.toThrow();
      expect(entry).toEqual(expect.objectContaining({ level: expect.any(String), msg: expect.any(String) }));
      expect(['error', 'warn', 'info']).toContain((entry as { level: string }).level);
    }
    // Nest's own start-up chatter is not at info.
    expect(server.output.join('\n')).not.toMatch(/Mapped \{|dependencies initialized|subscribed to the/);
  });
});

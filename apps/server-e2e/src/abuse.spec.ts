import { io } from 'socket.io-client';
import {
  clientId,
  connect,
  connectError,
  desktopUserAgent,
  get,
  openStream,
  pageCount,
  metricSamples,
  pollingHandshake,
  post,
  request,
  sampleValue,
  untilMetric,
  useServer,
  type TestSocket,
} from '@presently/testing';

/**
 * Abuse resistance at the edge: connections per client address
 * (MAX_CONNECTIONS_PER_IP, X-Forwarded-For trusted only behind TRUST_PROXY
 * proxies) and the origin allowlist (CORS_ORIGINS) for HTTP and both
 * Socket.IO transports.
 */

/**
 * An address over its limit is refused at the Engine.IO handshake, before any
 * namespace: socket.io-client over a websocket reports it as this
 * `connect_error`; a polling handshake reads the reason (403, see below).
 */
const REFUSED_AT_HANDSHAKE = 'websocket error';
const LIMIT_EXCEEDED_ANSWER = { status: 403, body: JSON.stringify({ code: 4, message: 'LIMIT_EXCEEDED' }) };

/** Opens a socket with extra handshake headers; resolves with 'connected' or the connect_error message. */
/**
 * A handshake as a browser makes it. Node's polling transport announces
 * itself as `node-XMLHttpRequest`, which the crawler list rightly does not
 * count as a person; a browser sends its own User-Agent.
 */
function attempt(url: string, headers: Record<string, string> = {}, transports: string[] = ['websocket']): Promise<{ outcome: string; socket: TestSocket; data?: unknown }> {
  const extraHeaders = { 'user-agent': desktopUserAgent('130.0.0.0'), ...headers };
  const socket = io(`${url}/presence`, { transports, reconnection: false, forceNew: true, extraHeaders }) as unknown as TestSocket;
  return new Promise((resolve) => {
    socket.once('session', () => resolve({ outcome: 'connected', socket }));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.disconnect();
      resolve({ outcome: error.message, socket, data: error.data });
    });
  });
}

/** Nothing is connected and no place of any address is counted (a socket's session closes just after its disconnect). */
async function untilEmpty(url: string): Promise<void> {
  await untilMetric(url, 'presently_connections', (n) => n === 0);
  await untilMetric(url, 'presently_address_connections', (n) => n === 0);
}

describe('MAX_CONNECTIONS_PER_IP', () => {
  // No grace period: a socket that goes is gone at once, so tests start on an empty server.
  const server = useServer({ MAX_CONNECTIONS_PER_IP: '3', GRACE_MS: '0' });
  const opened: TestSocket[] = [];
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.disconnect();
  });

  it('refuses an address its 4th session with LIMIT_EXCEEDED at the handshake, without counting it, and admits again once one leaves', async () => {
    await untilEmpty(server.url);
    for (let i = 0; i < 3; i++) opened.push((await connect(server.url, { clientId: clientId('limit') })).socket);
    const refused = await connectError(server.url, { clientId: clientId('limit-over') });
    expect(refused.message).toBe(REFUSED_AT_HANDSHAKE);
    // The reason, as a polling handshake (what a browser falls back to) reads it.
    expect(await pollingHandshake(server.url)).toEqual(LIMIT_EXCEEDED_ANSWER);
    // A header the server does not trust changes nothing.
    expect((await attempt(server.url, { 'x-forwarded-for': '198.51.100.77' })).outcome).toBe(REFUSED_AT_HANDSHAKE);
    expect((await get(server.url, '/api/stats')).body.online).toEqual({ connections: 3, visitors: 3 });
    expect(sampleValue(await metricSamples(server.url), 'presently_handshakes_refused_total', { reason: 'LIMIT_EXCEEDED' })).toBe(3);

    // The admitted ones keep working.
    for (const socket of opened) expect(await request(socket, 'page:enter', { page: '/limit' })).toMatchObject({ ok: true });

    opened.shift()!.disconnect();
    await untilMetric(server.url, 'presently_address_connections', (n) => n === 2);
    const again = await connect(server.url, { clientId: clientId('limit-again') });
    opened.push(again.socket);
    expect((await connectError(server.url)).message).toBe(REFUSED_AT_HANDSHAKE);
  });

  it('counts live streams with sockets: a stream over the limit is refused 429 and counts nobody', async () => {
    await untilEmpty(server.url);
    const page = '/limit-streams';
    opened.push((await connect(server.url)).socket);
    const first = await openStream(server.url, { page, clientId: clientId('stream-a') });
    const second = await openStream(server.url, { page, clientId: clientId('stream-b') });
    expect(await second.next('count')).toEqual({ page, viewers: 2, connections: 2, active: 2 });

    const over = await openStream(server.url, { page, clientId: clientId('stream-over') });
    await over.ended;
    expect(over.status).toBe(429);
    expect(JSON.parse(over.raw)).toEqual({ error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) } });
    expect((await attempt(server.url)).outcome).toBe(REFUSED_AT_HANDSHAKE);
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: 2, connections: 2, active: 2 });

    // A closed stream gives its place back.
    first.close();
    await untilMetric(server.url, 'presently_address_connections', (n) => n === 2);
    const third = await openStream(server.url, { page, clientId: clientId('stream-c') });
    expect(third.status).toBe(200);
    second.close();
    third.close();
  });

  it('frees every slot when sockets go, so the limit never leaks', async () => {
    await untilEmpty(server.url);
    for (let round = 0; round < 4; round++) {
      const sockets = await Promise.all([0, 1, 2].map(() => connect(server.url).then(({ socket }) => socket)));
      // Concurrent handshakes: exactly the limit is admitted.
      const extra = await Promise.all([0, 1, 2].map(() => attempt(server.url)));
      expect(extra.map((e) => e.outcome)).toEqual([REFUSED_AT_HANDSHAKE, REFUSED_AT_HANDSHAKE, REFUSED_AT_HANDSHAKE]);
      for (const socket of sockets) socket.disconnect();
      await untilEmpty(server.url);
    }
  });

  it('counts handshakes that race for the last slots exactly', async () => {
    await untilEmpty(server.url);
    const results = await Promise.all(Array.from({ length: 12 }, () => attempt(server.url)));
    for (const { socket, outcome } of results) if (outcome === 'connected') opened.push(socket);
    expect(results.filter((r) => r.outcome === 'connected')).toHaveLength(3);
    expect(results.filter((r) => r.outcome === REFUSED_AT_HANDSHAKE)).toHaveLength(9);
    expect((await get(server.url, '/api/stats')).body.online).toEqual({ connections: 3, visitors: 3 });
  });
});

describe('MAX_CONNECTIONS_PER_IP behind a trusted proxy (TRUST_PROXY=1)', () => {
  const server = useServer({ MAX_CONNECTIONS_PER_IP: '2', TRUST_PROXY: '1', GRACE_MS: '0' });
  const opened: TestSocket[] = [];
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.disconnect();
  });

  const open = async (forwardedFor: string) => {
    const result = await attempt(server.url, { 'x-forwarded-for': forwardedFor });
    if (result.outcome === 'connected') opened.push(result.socket);
    return result.outcome;
  };

  it('counts the address the proxy saw; what the client put in front of it is ignored', async () => {
    expect(await open('203.0.113.5')).toBe('connected');
    expect(await open('203.0.113.5')).toBe('connected');
    expect(await open('203.0.113.5')).toBe(REFUSED_AT_HANDSHAKE);
    // Spoofed entries to the left of the proxy's own are not the client address.
    expect(await open('1.2.3.4, 203.0.113.5')).toBe(REFUSED_AT_HANDSHAKE);
    expect(await open('203.0.113.6')).toBe('connected');
    expect(await open('203.0.113.5, 203.0.113.6')).toBe('connected');
    expect(await open('203.0.113.6')).toBe(REFUSED_AT_HANDSHAKE);
    // IPv6 counts per /64.
    expect(await open('2001:db8:1:2::1')).toBe('connected');
    expect(await open('2001:db8:1:2:ffff::9')).toBe('connected');
    expect(await open('2001:db8:1:2::abcd')).toBe(REFUSED_AT_HANDSHAKE);
    expect(await open('2001:db8:1:3::1')).toBe('connected');
  });
});

describe('CORS_ORIGINS: one allowlist for HTTP and both Socket.IO transports', () => {
  const ALLOWED = 'https://blog.example';
  const server = useServer({ CORS_ORIGINS: ALLOWED, API_KEY: 'origin-key-0123456789' });

  it('refuses HTTP requests from another origin with 403 FORBIDDEN, preflights included', async () => {
    for (const path of ['/api/stats', '/api/pages/count?page=/x', '/metrics']) {
      const answer = await get(server.url, path, { origin: 'https://evil.example' });
      expect({ path, status: answer.status, body: answer.body }).toEqual({ path, status: 403, body: { error: { code: 'FORBIDDEN', message: expect.any(String) } } });
    }
    const emitted = await post(server.url, '/api/emit', { event: 'x', to: { all: true } }, { origin: 'https://evil.example', 'x-api-key': 'origin-key-0123456789' });
    expect(emitted.status).toBe(403);
    const preflight = await fetch(`${server.url}/api/emit`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the allowed origin and requests without an Origin', async () => {
    const allowed = await get(server.url, '/api/stats', { origin: ALLOWED });
    expect(allowed.status).toBe(200);
    const preflight = await fetch(`${server.url}/api/emit`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect((await get(server.url, '/healthz')).status).toBe(200);
    expect((await post(server.url, '/api/emit', { event: 'x', to: { all: true } }, { 'x-api-key': 'origin-key-0123456789' })).status).toBe(202);
  });

  it.each([['websocket'], ['polling']])('refuses a %s handshake from another origin and admits the allowed one', async (transport) => {
    expect((await attempt(server.url, { origin: 'https://evil.example' }, [transport])).outcome).not.toBe('connected');
    const allowed = await attempt(server.url, { origin: ALLOWED }, [transport]);
    expect(allowed.outcome).toBe('connected');
    expect(await request(allowed.socket, 'page:enter', { page: `/origin-${transport}` })).toMatchObject({ ok: true, viewers: 1 });
    allowed.socket.disconnect();
  });
});

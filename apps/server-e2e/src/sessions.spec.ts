import { io } from 'socket.io-client';
import {
  closePollingSession,
  connect,
  metricSamples,
  pollingHandshake,
  pollingSessionClosed,
  rawWebSocket,
  sampleValue,
  until,
  useServer,
  type TestSocket,
} from '@presently/testing';

/**
 * Every Engine.IO session counts against its address from its handshake on,
 * whether or not it ever joins `/presence`; the main namespace is refused;
 * a session that joins no namespace is closed after CONNECT_TIMEOUT_MS; new
 * sessions per address are rate limited. Each test speaks for its own
 * address (TRUST_PROXY=1, X-Forwarded-For), so tests do not share a count.
 */
const LIMIT = 5;
const LIMIT_EXCEEDED = { status: 403, body: JSON.stringify({ code: 4, message: 'LIMIT_EXCEEDED' }) };

let nextAddress = 10;
const newAddress = () => ({ 'x-forwarded-for': `198.51.100.${nextAddress++}` });

/** A socket.io-client socket to `namespace`; resolves with 'connected' or its connect_error message. */
function attempt(url: string, namespace: string, headers: Record<string, string>, transports = ['websocket']): Promise<{ outcome: string; socket: TestSocket }> {
  const socket = io(`${url}${namespace}`, { transports, reconnection: false, forceNew: true, extraHeaders: headers }) as unknown as TestSocket;
  opened.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ outcome: 'connected', socket }));
    socket.once('connect_error', (error: Error) => resolve({ outcome: error.message, socket }));
  });
}
const opened: TestSocket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
});

describe('Engine.IO sessions', () => {
  const server = useServer({ MAX_CONNECTIONS_PER_IP: String(LIMIT), TRUST_PROXY: '1', GRACE_MS: '0' });

  it('refuses sockets to the main namespace and to namespaces nobody serves; /presence still connects', async () => {
    const address = newAddress();
    expect((await attempt(server.url, '/', address)).outcome).toBe('Invalid namespace');
    expect((await attempt(server.url, '/', address, ['polling'])).outcome).toBe('Invalid namespace');
    expect((await attempt(server.url, '/admin', address)).outcome).toBe('Invalid namespace');
    expect((await attempt(server.url, '/presence', address)).outcome).toBe('connected');
  });

  it('counts raw polling handshakes against their address: the limit+1th is refused 403 LIMIT_EXCEEDED, other addresses are not', async () => {
    const address = newAddress();
    const sessions = [];
    for (let i = 0; i < LIMIT; i++) sessions.push(await pollingHandshake(server.url, address));
    expect(sessions.map((s) => s.status)).toEqual(Array(LIMIT).fill(200));
    expect(await pollingHandshake(server.url, address)).toEqual(LIMIT_EXCEEDED);
    // Nor may a /presence socket of that address join: it would be a new session.
    expect((await attempt(server.url, '/presence', address)).outcome).toBe('websocket error');
    expect((await rawWebSocket(server.url, address)).status).toBe(400);
    expect((await attempt(server.url, '/presence', newAddress())).outcome).toBe('connected');

    // A session that ends gives its place back.
    await closePollingSession(server.url, sessions[0].sid!, address);
    await until(async () => (await pollingHandshake(server.url, address)).status === 200, 'the closed session gave its place back');
    expect(await pollingHandshake(server.url, address)).toEqual(LIMIT_EXCEEDED);
  });

  it('counts a /presence socket once with its session, over either transport', async () => {
    const address = newAddress();
    const outcomes = [];
    for (let i = 0; i < LIMIT; i++) outcomes.push((await attempt(server.url, '/presence', address, i % 2 ? ['websocket'] : ['polling', 'websocket'])).outcome);
    expect(outcomes).toEqual(Array(LIMIT).fill('connected'));
    expect(await pollingHandshake(server.url, address)).toEqual(LIMIT_EXCEEDED);
    expect((await attempt(server.url, '/presence', address)).outcome).toBe('websocket error');
  });

  it('closes sessions that join no namespace within CONNECT_TIMEOUT_MS (default 5 s) and frees their places', async () => {
    const address = newAddress();
    const polling = [];
    for (let i = 0; i < LIMIT - 1; i++) polling.push(await pollingHandshake(server.url, address));
    const websocket = await rawWebSocket(server.url, address);
    expect([...polling.map((s) => s.status), websocket.status]).toEqual([200, 200, 200, 200, 101]);
    expect(await pollingHandshake(server.url, address)).toEqual(LIMIT_EXCEEDED);

    // The server closes them: the long-polls get the close packet, the websocket is closed.
    await Promise.all([websocket.closed, ...polling.map((s) => pollingSessionClosed(server.url, s.sid!, address))]);
    await until(async () => (await attempt(server.url, '/presence', address)).outcome === 'connected', 'the closed sessions gave their places back');
  }, 30_000);
});

describe('HANDSHAKES_PER_S and HANDSHAKE_BURST', () => {
  const RATE_PER_S = 1;
  const BURST = 5;
  const server = useServer({ HANDSHAKES_PER_S: String(RATE_PER_S), HANDSHAKE_BURST: String(BURST), TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '0' });

  it('refuses new sessions of an address past its burst with 403 RATE_LIMITED; other addresses are not affected', async () => {
    const address = newAddress();
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < BURST + 5; i++) answers.push(await pollingHandshake(server.url, address));
    const elapsedS = (Date.now() - started) / 1000;
    const admitted = answers.filter((a) => a.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(BURST);
    expect(admitted).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS * RATE_PER_S));
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) expect(answer).toEqual({ status: 403, body: JSON.stringify({ code: 4, message: 'RATE_LIMITED' }) });
    expect(sampleValue(await metricSamples(server.url), 'presently_handshakes_refused_total', { reason: 'RATE_LIMITED' })).toBe(refused.length);

    // Another address has its own budget; requests of an existing session are not handshakes.
    const other = newAddress();
    const { socket } = await connect(server.url, { headers: other });
    expect(socket.connected).toBe(true);
    expect((await pollingHandshake(server.url, other)).status).toBe(200);
  });
});

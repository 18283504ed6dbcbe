import { clientId, connect, connectError, get, metrics, metricSamples, openStream, request, sampleValue, untilMetric, useServer, waitFor, type TestSocket } from '@presently/testing';

/**
 * The per-address budget (MAX_BYTES_PER_ADDRESS) and the process-wide
 * ceiling (MAX_STATE_BYTES) against the built server. Addresses are told
 * apart through X-Forwarded-For behind one trusted proxy. The expected
 * figures come from the cost formula as docs/protocol-decisions.md states
 * it, not from the server's code.
 */

// The documented cost formula: 512 bytes per entry, 2 per UTF-16 code unit, 48 per meta value.
const ENTRY = 512;
const keyCost = (key: string) => ENTRY + 2 * key.length;
const metaValues = (value: unknown): number =>
  1 + (value !== null && typeof value === 'object' ? Object.values(value).reduce<number>((n, v) => n + metaValues(v), 0) : 0);
const profileCost = (name: string, status: string, meta: object) => ENTRY + 2 * (name.length + status.length + JSON.stringify(meta).length) + 48 * metaValues(meta);

const BUDGET = 64 * 1024;
const longKey = (prefix: string, i: number) => `${prefix}-${i}-`.padEnd(512, 'k');
const BIG_META = { note: 'm'.repeat(1000) };

let addresses = 0;
/** A fresh client address, as the trusted proxy reports it. */
const newAddress = () => `198.51.100.${++addresses}`;
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

describe('MAX_BYTES_PER_ADDRESS', () => {
  // No grace period: a socket that goes gives its bytes back at once.
  const server = useServer({ MAX_BYTES_PER_ADDRESS: String(BUDGET), TRUST_PROXY: '1', GRACE_MS: '0' });
  const opened: TestSocket[] = [];
  const open = async (address: string) => {
    const { socket } = await connect(server.url, { clientId: clientId('budget'), ...from(address) });
    opened.push(socket);
    return socket;
  };
  const stateBytes = async () => (await metrics(server.url))['presently_state_bytes'];

  beforeEach(() => untilMetric(server.url, 'presently_state_bytes', (n) => n === 0));
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.disconnect();
  });

  it('admits events up to the budget, refuses the one past it with LIMIT_EXCEEDED, and that refusal changes nothing', async () => {
    const attacker = await open(newAddress());
    const room = longKey('room', 0);
    expect(await request(attacker, 'room:join', { room, profile: { meta: BIG_META } })).toMatchObject({ ok: true });
    const roomCost = keyCost(room) + profileCost('Anonymous', 'online', BIG_META);
    const fitting = Math.floor((BUDGET - roomCost) / keyCost(longKey('w', 0)));
    expect(fitting).toBeGreaterThan(10);
    for (let i = 0; i < fitting; i++) expect(await request(attacker, 'page:watch', { pages: [longKey('w', i)] })).toMatchObject({ ok: true });
    const held = roomCost + fitting * keyCost(longKey('w', 0));
    expect(await stateBytes()).toBe(held);

    const refused = longKey('w', fitting);
    expect(await request(attacker, 'page:watch', { pages: [refused] })).toEqual({ ok: false, error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) } });
    expect(await request(attacker, 'page:enter', { page: refused })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    expect(await request(attacker, 'room:join', { room: longKey('room', 1) })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    // A larger profile is refused too (a meta of many values costs more than its text); the member keeps the one it had.
    expect(await request(attacker, 'room:update', { room, profile: { meta: { list: Array(300).fill(0) }, status: 'away' } })).toMatchObject({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED' },
    });
    expect(await stateBytes()).toBe(held);
    expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(refused)}`)).body).toEqual({ page: refused, viewers: 0, connections: 0, active: 0 });
    const members = (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body;
    expect(members.members.map((m: { status: string }) => m.status)).toEqual(['online']);

    // The refused watch subscribed to nothing: a count of that page never reaches the attacker,
    // while a count of a page it does watch, caused after it, does.
    const counts: { page: string }[] = [];
    attacker.on('page:count', (c) => counts.push(c));
    const other = await open(newAddress());
    expect(await request(other, 'page:enter', { page: refused })).toMatchObject({ ok: true });
    expect(await request(other, 'page:enter', { page: longKey('w', 0) })).toMatchObject({ ok: true });
    await waitFor(attacker, 'page:count', (c: { page: string }) => c.page === longKey('w', 0));
    expect(counts.map((c) => c.page)).not.toContain(refused);
  });

  it('counts every socket of the address against one budget, and serves other addresses meanwhile', async () => {
    const address = newAddress();
    const first = await open(address);
    const second = await open(address);
    const perPage = keyCost(longKey('s', 0));
    const fitting = Math.floor(BUDGET / perPage);
    // 100 pages per watch at most: the sockets take turns.
    const pages = Array.from({ length: fitting }, (_, i) => longKey('s', i));
    expect(await request(first, 'page:watch', { pages: pages.slice(0, 20) })).toMatchObject({ ok: true });
    expect(await request(second, 'page:watch', { pages: pages.slice(20) })).toMatchObject({ ok: true });
    expect(await request(first, 'page:enter', { page: longKey('s', fitting) })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    // A third socket of the address connects, but may hold nothing more.
    const third = await open(address);
    expect(await request(third, 'page:watch', { pages: [longKey('s', fitting)] })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });

    const neighbour = await open(newAddress());
    expect(await request(neighbour, 'page:watch', { pages: pages.slice(0, 30) })).toMatchObject({ ok: true });
    expect(await request(neighbour, 'room:join', { room: longKey('n', 0), profile: { meta: BIG_META } })).toMatchObject({ ok: true });
    expect(await stateBytes()).toBe(fitting * perPage + 30 * perPage + keyCost(longKey('n', 0)) + profileCost('Anonymous', 'online', BIG_META));
  });

  it('gives the bytes back on unwatch, leave, a smaller profile and disconnect, so that a new event fits again', async () => {
    const address = newAddress();
    const socket = await open(address);
    const room = longKey('r', 0);
    const bigRoom = keyCost(room) + profileCost('Anonymous', 'online', BIG_META);
    const perPage = keyCost(longKey('u', 0));
    const fitting = Math.floor((BUDGET - bigRoom) / perPage);
    const pages = Array.from({ length: fitting + 1 }, (_, i) => longKey('u', i));
    expect(await request(socket, 'room:join', { room, profile: { meta: BIG_META } })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:watch', { pages: pages.slice(0, fitting) })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:enter', { page: pages[fitting] })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });

    expect(await request(socket, 'page:unwatch', { pages: [pages[0]] })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:enter', { page: pages[fitting] })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:leave', { page: pages[fitting] })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:watch', { pages: [pages[fitting]] })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:watch', { pages: [pages[0]] })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });

    // A smaller profile gives back the difference: what a page costs, and more.
    expect(await request(socket, 'room:update', { room, profile: { meta: {} } })).toMatchObject({ ok: true });
    expect(await request(socket, 'page:watch', { pages: [pages[0]] })).toMatchObject({ ok: true });
    expect(await request(socket, 'room:leave', { room })).toMatchObject({ ok: true });
    expect(await stateBytes()).toBe(fitting * perPage + perPage);

    socket.disconnect();
    await untilMetric(server.url, 'presently_state_bytes', (n) => n === 0);
    const again = await open(address);
    expect(await request(again, 'page:watch', { pages: pages.slice(0, fitting) })).toMatchObject({ ok: true });
  });
});

describe('MAX_BYTES_PER_ADDRESS with a grace period', () => {
  const server = useServer({ MAX_BYTES_PER_ADDRESS: String(BUDGET), TRUST_PROXY: '1', GRACE_MS: '1500' });

  it('keeps charging a held place until its grace ends', async () => {
    const address = newAddress();
    const headers = from(address);
    const pages = Array.from({ length: Math.floor(BUDGET / keyCost(longKey('h', 0))) + 1 }, (_, i) => longKey('h', i));
    const { socket } = await connect(server.url, { clientId: clientId('held'), ...headers });
    for (const page of pages.slice(0, -1)) expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });
    socket.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    // Another client of the address: the held pages still count against it.
    const { socket: next } = await connect(server.url, { clientId: clientId('held-next'), ...headers });
    expect(await request(next, 'page:enter', { page: pages.at(-1) })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 0);
    expect(await request(next, 'page:enter', { page: pages.at(-1) })).toMatchObject({ ok: true });
    next.disconnect();
  });
});

describe('MAX_STATE_BYTES', () => {
  const CEILING = 10_000;
  const server = useServer({ MAX_STATE_BYTES: String(CEILING), GRACE_MS: '0' });

  it('refuses new connections once the process holds that much, serves the connected ones, and admits again below it', async () => {
    await untilMetric(server.url, 'presently_state_bytes', (n) => n === 0);
    const { socket } = await connect(server.url, { clientId: clientId('ceiling') });
    const pages = Array.from({ length: Math.ceil(CEILING / keyCost(longKey('c', 0))) }, (_, i) => longKey('c', i));
    expect(await request(socket, 'page:watch', { pages })).toMatchObject({ ok: true });

    const refused = (await connectError(server.url, { clientId: clientId('ceiling-new') })) as Error & { data?: unknown };
    expect(refused.message).toBe('LIMIT_EXCEEDED');
    expect(refused.data).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/state/) });
    const stream = await openStream(server.url, { page: '/ceiling', clientId: clientId('ceiling-stream') });
    await stream.ended;
    expect(stream.status).toBe(503);
    expect(JSON.parse(stream.raw)).toEqual({ error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) } });
    expect(sampleValue(await metricSamples(server.url), 'presently_handshakes_refused_total', { reason: 'STATE_FULL' })).toBe(2);
    expect((await get(server.url, '/api/stats')).body.online).toEqual({ connections: 1, visitors: 1 });

    // The connected socket is served as before, within its address's budget.
    expect(await request(socket, 'page:enter', { page: '/ceiling' })).toEqual({ ok: true, page: '/ceiling', viewers: 1, connections: 1, active: 1 });

    expect(await request(socket, 'page:unwatch', { pages })).toMatchObject({ ok: true });
    const { socket: admitted } = await connect(server.url, { clientId: clientId('ceiling-again') });
    expect(await request(admitted, 'page:enter', { page: '/ceiling' })).toMatchObject({ ok: true, viewers: 2 });
    socket.disconnect();
    admitted.disconnect();
  });
});

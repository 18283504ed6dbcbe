import {
  closeAll,
  connect,
  get,
  key,
  metrics,
  request,
  startServer,
  untilMetric,
  userToken,
  waitFor,
  type RunningServer,
  type TestSocket,
} from '@presently/testing';

const SECRET = 'slow-readers-e2e-secret-0123456789';
const MAX_BUFFERED_BYTES = 65_536;
// Long enough that the honest reader below, on a loaded CI machine, catches up well within it.
const SLOW_CLIENT_MS = 3000;
const GRACE_MS = 1500;

type Left = { room: string; userId: string; reason: string };
type Member = { userId: string; connections: number };

/**
 * The TCP socket under a socket.io-client websocket (engine.io-client's
 * transport holds a `ws` WebSocket, whose `_socket` is the net.Socket).
 * Pausing it stops reading at the TCP level: the kernel buffers fill, the
 * window closes, and the server's writes pile up in its own buffers, as
 * with a reader that stopped reading. Pings do not end such a reader within
 * these tests: the server pings every 25 s, far beyond their few seconds.
 */
function tcpOf(socket: TestSocket): { pause(): void; resume(): void } {
  const transport = (socket.io as unknown as { engine: { transport: { ws: { _socket: { pause(): void; resume(): void } } } } }).engine.transport;
  return transport.ws._socket;
}

/**
 * Members of `room` sending `room:update` with a ~1 KB `meta` as fast as the
 * server acks them (20 in flight per sender), until `stop()`; every one of
 * them is a `room:updated` of about 1 KB to each other socket of the room.
 */
function flood(senders: TestSocket[], room: string): { stop(): Promise<void> } {
  let running = true;
  const blob = 'x'.repeat(900);
  const loops = senders.map(async (sender, s) => {
    for (let n = 0; running; n++) {
      const batch = Array.from({ length: 20 }, (_, i) => request(sender, 'room:update', { room, profile: { meta: { blob, s, n, i } } }));
      await Promise.all(batch);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('slow readers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      JWT_SECRET: SECRET,
      MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
      SLOW_CLIENT_MS: String(SLOW_CLIENT_MS),
      GRACE_MS: String(GRACE_MS),
      // The senders must outrun the readers: the event budget is not what is tested here.
      RATE_LIMIT_PER_S: '100000',
      RATE_LIMIT_BURST: '100000',
    });
  });
  afterEach(() => closeAll());
  afterAll(async () => {
    await server.stop();
  });

  const join = async (room: string, user: string) => {
    const { socket, session } = await connect(server.url, { token: await userToken(SECRET, user) });
    await request(socket, 'room:join', { room });
    return { socket, userId: session.userId };
  };
  const members = async (room: string): Promise<Member[]> => (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;
  const cutSoFar = async () => (await metrics(server.url))['presently_slow_clients_disconnected_total'] ?? 0;

  it('disconnects a reader that stops reading, holds its presence for the grace period, and leaves the others connected', async () => {
    const room = key('slow-room');
    const before = await cutSoFar();
    const observer = await join(room, 'observer');
    const senders = await Promise.all(['s1', 's2', 's3'].map((user) => join(room, user)));
    const reader = await join(room, 'paused-reader');
    tcpOf(reader.socket).pause();

    const load = flood(
      senders.map((s) => s.socket),
      room,
    );
    await untilMetric(server.url, 'presently_slow_clients_disconnected_total', (n) => n === before + 1, 40_000);
    await load.stop();

    // A disconnect like any other: still a member, held for the grace period.
    const held = (await members(room)).find((m) => m.userId === reader.userId);
    expect(held).toMatchObject({ connections: 1 });
    expect((await metrics(server.url))['presently_held_connections']).toBeGreaterThanOrEqual(1);

    // Then the grace runs out: reason disconnect, to everyone still there.
    const left = await waitFor<Left>(observer.socket, 'room:left', (p) => p.userId === reader.userId, GRACE_MS + 10_000);
    expect(left).toEqual({ room, userId: reader.userId, reason: 'disconnect', duration: expect.any(Number) });
    expect([observer, ...senders].every((m) => m.socket.connected)).toBe(true);
    expect((await members(room)).map((m) => m.userId).sort()).toEqual([observer.userId, ...senders.map((s) => s.userId)].sort());
    expect(await cutSoFar()).toBe(before + 1);
  }, 90_000);

  it('keeps an honest reader that stalls for less than SLOW_CLIENT_MS, then catches up', async () => {
    const room = key('honest-room');
    const before = await cutSoFar();
    const senders = await Promise.all(['h1', 'h2', 'h3'].map((user) => join(room, user)));
    const stalled = await join(room, 'stalled-reader');
    const honest = await join(room, 'honest-reader');
    tcpOf(stalled.socket).pause();
    tcpOf(honest.socket).pause();

    // Both stall under the same burst until the server sees both above the
    // bound; then the burst ends and the honest one reads again.
    const load = flood(
      senders.map((s) => s.socket),
      room,
    );
    await untilMetric(server.url, 'presently_slow_clients', (n) => n >= 2, 40_000);
    const stopped = load.stop();
    tcpOf(honest.socket).resume();
    await stopped;

    // The one that never reads again is cut SLOW_CLIENT_MS after it went
    // over; the honest one went over no earlier, so it would have been cut
    // by now too had it not caught up. Its room:left for the stalled reader,
    // GRACE_MS later, shows it connected and reading.
    await untilMetric(server.url, 'presently_slow_clients_disconnected_total', (n) => n === before + 1, 40_000);
    const left = await waitFor<Left>(honest.socket, 'room:left', (p) => p.userId === stalled.userId, GRACE_MS + 10_000);
    expect(left.reason).toBe('disconnect');
    expect(honest.socket.connected).toBe(true);
    expect(await cutSoFar()).toBe(before + 1);
    expect((await members(room)).find((m) => m.userId === honest.userId)).toMatchObject({ connections: 1 });
  }, 90_000);
});

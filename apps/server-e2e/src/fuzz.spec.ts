import fc from 'fast-check';
import { CLIENT_EVENTS, isBlank, isShowableInline } from '@presently/protocol';
import type { Socket } from 'socket.io-client';
import { barrier, clientId, connect, get, HOSTILE_STRINGS, request, startServer, type RunningServer, type TestSocket } from '@presently/testing';

/**
 * Hostile clients against the built server: a seeded fuzz of more than
 * 10,000 random and hostile payloads at every client event (and unknown
 * ones), and a flood under the default rate limit. Meanwhile and afterwards
 * a control client's acks arrive, its counts are exact, every fuzzed page
 * and room holds exactly who the accepted acks say, and /healthz answers.
 */

const SEED = 20_240_607;
const PER_EVENT = 850;
const UNKNOWN = 600;
const BATCH = 200;
const CODES = ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'LIMIT_EXCEEDED', 'INTERNAL'];

const raw = (socket: TestSocket) => socket as unknown as Socket;

/** `depth` levels of arrays and objects around a value. */
function nest(depth: number, inner: unknown = 'deep'): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value };
  return value;
}

/** A page/room key no fuzzed string can produce: the control client's own. */
const CONTROL_PAGE = `/control\u2003${process.pid}`;
const CONTROL_ROOM = `control\u2003room-${process.pid}`;
const isControl = (s: unknown) => s === CONTROL_PAGE || s === CONTROL_ROOM;

const hostileString = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 16 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...HOSTILE_STRINGS),
    },
  )
  .filter((s) => !isControl(s));

const key = fc.constantFrom('page', 'pages', 'room', 'profile', 'name', 'status', 'meta', 'poll', 'option', '__proto__', 'constructor', 'prototype');

const anything = fc.anything({
  key: fc.oneof(fc.string({ maxLength: 8 }), key),
  values: [hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)],
  maxDepth: 5,
  maxKeys: 6,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Payloads no schema should have to walk, or that are simply large. */
const monsters = fc.constantFrom<() => unknown>(
  () => nest(2000),
  () => nest(17, { page: '/fuzz/deep' }),
  () => ({ page: '/fuzz/a', extra: nest(40) }),
  () => JSON.parse('{"page":"/fuzz/a","__proto__":{"polluted":true}}'),
  () => JSON.parse('{"room":"fuzz-room","profile":{"meta":{"__proto__":{"polluted":true}}}}'),
  () => ({ room: 'fuzz-room', profile: { meta: { constructor: { prototype: { polluted: true } } } } }),
  () => ({ page: 'x'.repeat(60_000) }),
  () => ({ pages: Array.from({ length: 5000 }, (_, i) => `/fuzz/many/${i}`) }),
  () => Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])),
  () => ({ room: 'fuzz-room', profile: { meta: { blob: 'é'.repeat(20_000) } } }),
  () => Buffer.from('{"page":"/fuzz/a"}'),
  () => ({ page: Buffer.from('/fuzz/a') }),
  () => new Uint8Array(1024),
);

const profile = fc.record(
  {
    name: fc.oneof(hostileString, anything),
    status: fc.oneof(hostileString, anything),
    meta: fc.oneof(fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), key), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), anything),
  },
  { requiredKeys: [] },
);

/** A payload aimed at one event: near-valid shapes with hostile fields, anything at all, or a monster. */
function payloadFor(event: string): fc.Arbitrary<unknown[]> {
  const aimed: Record<string, fc.Arbitrary<unknown>> = {
    'page:enter': fc.record({ page: fc.oneof(hostileString, anything) }),
    'page:leave': fc.record({ page: fc.oneof(hostileString, anything) }),
    'page:watch': fc.record({ pages: fc.oneof(fc.array(hostileString, { maxLength: 120 }), anything) }),
    'page:unwatch': fc.record({ pages: fc.oneof(fc.array(hostileString, { maxLength: 120 }), anything) }),
    'room:join': fc.record({ room: fc.oneof(hostileString, anything), profile: fc.oneof(profile, anything) }, { requiredKeys: ['room'] }),
    'room:leave': fc.record({ room: fc.oneof(hostileString, anything) }),
    'room:update': fc.record({ room: fc.oneof(hostileString, anything), profile: fc.oneof(profile, anything) }),
    'stats:watch': fc.oneof(fc.constant({}), anything),
    'stats:unwatch': fc.oneof(fc.constant({}), anything),
    'poll:watch': fc.record({ poll: fc.oneof(hostileString, anything) }),
    'poll:unwatch': fc.record({ poll: fc.oneof(hostileString, anything) }),
    'poll:vote': fc.record({ poll: fc.oneof(hostileString, anything), option: fc.oneof(hostileString, anything) }),
  };
  const one = fc.oneof(
    { weight: 6, arbitrary: aimed[event] ?? anything },
    { weight: 3, arbitrary: anything },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: monsters.map((make) => make()) },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as unknown[]) },
    { weight: 10, arbitrary: fc.tuple(one) },
    { weight: 1, arbitrary: fc.tuple(one, one) },
  );
}

const UNKNOWN_NAMES = fc.oneof(
  fc.constantFrom('hello', 'page:count', 'session', 'room:joined', 'stats', 'PAGE:ENTER', 'page:enter ', '', '__proto__', 'constructor', 'toString', 'error', 'x'.repeat(2000)),
  fc.string({ maxLength: 30 }).filter((s) => !(CLIENT_EVENTS as readonly string[]).includes(s) && !['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(s)),
);

interface Shot {
  event: string;
  args: unknown[];
  /** Sent without an ack callback (processed all the same, nothing comes back). */
  silent: boolean;
}

/** Every shot of the fuzz, the same on every run: PER_EVENT per client event, plus unknown names. */
function buildShots(): Shot[] {
  const shots: Shot[] = [];
  let seed = SEED;
  for (const event of CLIENT_EVENTS) {
    const samples = fc.sample(fc.tuple(payloadFor(event), fc.integer({ min: 0, max: 19 })), { seed: seed++, numRuns: PER_EVENT });
    for (const [args, dice] of samples) shots.push({ event, args, silent: dice === 0 });
  }
  const unknown = fc.sample(fc.tuple(UNKNOWN_NAMES, payloadFor('unknown')), { seed: seed++, numRuns: UNKNOWN });
  for (const [event, args] of unknown) shots.push({ event, args, silent: false });
  // Interleave deterministically, so that every batch mixes events.
  const order = fc.sample(fc.shuffledSubarray(shots.map((_, i) => i), { minLength: shots.length, maxLength: shots.length }), { seed: seed++, numRuns: 1 })[0];
  return order.map((i) => shots[i]);
}

/** What one fuzzing socket is on, replayed from its accepted acks in the order it sent. */
interface Footprint {
  /** The socket's member id: its public userId as its session reported it. */
  userId: string;
  pages: Set<string>;
  rooms: Set<string>;
}

function track(footprint: Footprint, shot: Shot, ack: any): void {
  if (ack?.ok !== true) return;
  if (shot.event === 'page:enter') footprint.pages.add(ack.page);
  if (shot.event === 'page:leave') footprint.pages.delete(ack.page);
  if (shot.event === 'room:join') footprint.rooms.add(ack.room);
  if (shot.event === 'room:leave') footprint.rooms.delete(ack.room);
}

function expectProtocolAck(ack: any): void {
  expect(ack).toBeInstanceOf(Object);
  if (ack.ok === true) return;
  expect(Object.keys(ack).sort()).toEqual(['error', 'ok']);
  expect(ack.ok).toBe(false);
  expect(CODES).toContain(ack.error?.code);
  expect(typeof ack.error.message).toBe('string');
}

describe('fuzz: more than 10,000 seeded random and hostile payloads at every event', () => {
  let server: RunningServer;

  beforeAll(async () => {
    // The rate limit is lifted so that each payload reaches validation (the flood below keeps it).
    // Two strings of the hostile list are declared polls, so that random votes also land on real ones.
    server = await startServer({ RATE_LIMIT_PER_S: '1000000', RATE_LIMIT_BURST: '1000000', GRACE_MS: '60000', POLLS: 'red,fuzz-room' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers every shot in the protocol shape while a control client’s acks and counts stay exact', async () => {
    const shots = buildShots();
    expect(shots.length).toBeGreaterThanOrEqual(10_000);
    for (const event of CLIENT_EVENTS) expect(shots.filter((s) => s.event === event).length).toBeGreaterThanOrEqual(PER_EVENT);

    const control = await connect(server.url, { clientId: clientId('control') });
    const peer = await connect(server.url, { clientId: clientId('peer') });
    expect(await request(control.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 1, connections: 1, active: 1 });
    expect(await request(peer.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    expect(await request(peer.socket, 'room:join', { room: CONTROL_ROOM, profile: { name: 'Peer' } })).toMatchObject({ ok: true });
    const peerHears = ['room:joined', 'room:left', 'room:updated'].map((event) => {
      const seen: unknown[] = [];
      raw(peer.socket).on(event, (e: { room: string }) => e.room === CONTROL_ROOM && seen.push(e));
      return seen;
    });

    const fuzzers: TestSocket[] = [];
    for (let i = 0; i < 4; i++) fuzzers.push((await connect(server.url, { clientId: clientId(`fuzzer${i}`) })).socket);

    // The control client keeps working all through the fuzz, and its acks stay exact.
    let fuzzing = true;
    let controlRounds = 0;
    const controlLoop = (async () => {
      while (fuzzing) {
        expect(await request(control.socket, 'page:leave', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE });
        expect(await request(control.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
        expect(await request(control.socket, 'room:join', { room: CONTROL_ROOM })).toMatchObject({ ok: true, members: [expect.anything(), expect.anything()] });
        expect(await request(control.socket, 'room:leave', { room: CONTROL_ROOM })).toEqual({ ok: true, room: CONTROL_ROOM });
        controlRounds++;
      }
    })();

    let oks = 0;
    try {
      for (let start = 0; start < shots.length; start += BATCH) {
        const batch = shots.slice(start, start + BATCH);
        const acks = await Promise.all(
          batch.map((shot, i) => {
            const fuzzer = fuzzers[i % fuzzers.length];
            if (!shot.silent) return request(fuzzer, shot.event, ...shot.args);
            raw(fuzzer).emit(shot.event, ...shot.args);
            return Promise.resolve(undefined);
          }),
        );
        batch.forEach((shot, i) => {
          if (shot.silent) return;
          expectProtocolAck(acks[i]);
          if (acks[i].ok === true) oks++;
        });
      }
    } finally {
      fuzzing = false;
      await controlLoop;
    }
    expect(oks).toBeGreaterThan(0);
    expect(controlRounds).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    for (const socket of fuzzers) {
      expect(socket.connected).toBe(true);
      await barrier(socket);
    }

    expect((await get(server.url, '/healthz')).status).toBe(200);
    expect(await request(control.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(CONTROL_PAGE)}`)).body).toEqual({ page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    const members = (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(CONTROL_ROOM)}`)).body.members;
    expect(members.map((m: { userId: string; name: string }) => [m.userId, m.name])).toEqual([[peer.session.userId, 'Peer']]);
    // The peer heard each control join and leave, and nothing from any fuzzer.
    expect(peerHears[0]).toHaveLength(controlRounds);
    expect(peerHears[1]).toHaveLength(controlRounds);
    expect(peerHears[2]).toEqual([]);
    expect((await get(server.url, '/api/stats')).body.online).toEqual({ connections: 6, visitors: 6 });
  }, 240_000);

  it('keeps counts true for what the fuzzers did: each page and room holds exactly the sockets the acks say', async () => {
    // A fresh, silent-free pass with a fixed seed over page and room events only, so that the
    // truth is fully known, then every touched page and room is compared with the server.
    const fuzzers: Footprint[] = [];
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const { socket, session } = await connect(server.url, { clientId: clientId(`tracked${i}`) });
      sockets.push(socket);
      fuzzers.push({ userId: session.userId, pages: new Set(), rooms: new Set() });
    }
    // Keys of this test only (the first test's fuzzers still sit on pages and rooms of their own).
    const base = `/tracked-${process.pid}`;
    const keys = [`${base}/a`, `${base}/b`, `${base}/c`, `${base}/${'x'.repeat(512 - base.length - 1)}`, `${base}/${'😀'.repeat(240)}`, `${base}/\u00e9`];
    const pool = fc.constantFrom(...keys);
    const step = fc.oneof(
      fc.record({ event: fc.constantFrom('page:enter', 'page:leave'), args: fc.tuple(fc.oneof(fc.record({ page: pool }), fc.record({ page: hostileString }), anything)) }),
      fc.record({
        event: fc.constantFrom('room:join', 'room:leave'),
        args: fc.tuple(fc.oneof(fc.record({ room: pool }), fc.record({ room: pool, profile: fc.oneof(profile, anything) }), anything)),
      }),
    );
    const steps = fc.sample(fc.tuple(fc.nat({ max: 2 }), step), { seed: SEED + 99, numRuns: 1500 });
    for (let start = 0; start < steps.length; start += BATCH) {
      const batch = steps.slice(start, start + BATCH);
      const acks = await Promise.all(batch.map(([who, s]) => request(sockets[who], s.event, ...s.args)));
      batch.forEach(([who, s], i) => {
        expectProtocolAck(acks[i]);
        track(fuzzers[who], { event: s.event, args: s.args, silent: false }, acks[i]);
      });
    }
    expect(fuzzers.some((f) => f.pages.size > 0 && f.rooms.size > 0)).toBe(true);
    for (const page of keys) {
      const on = fuzzers.filter((f) => f.pages.has(page)).length;
      expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(page)}`)).body).toEqual({ page, viewers: on, connections: on, active: on });
    }
    for (const room of keys) {
      const expected = fuzzers.filter((f) => f.rooms.has(room)).map((f) => f.userId);
      const listed: Array<{ userId: string; name: string; status: string }> = (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;
      const members = listed.map((m) => m.userId);
      expect([...members].sort()).toEqual([...expected].sort());
      // Whatever the fuzz sent, every name and status shown is NFC, on one line, in reading order and visible.
      for (const text of listed.flatMap((m) => [m.name, m.status])) {
        expect({ text, nfc: text === text.normalize('NFC'), inline: isShowableInline(text), visible: !isBlank(text) }).toEqual({ text, nfc: true, inline: true, visible: true });
      }
    }
  }, 120_000);
});

describe('a flood under the default rate limit', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({});
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('leaves another client’s acks coming and its counts exact while one client sends thousands of hostile events', async () => {
    const page = '/flood/control';
    const target = '/flood/target';
    const control = await connect(server.url, { clientId: clientId('flood-control') });
    const flooder = await connect(server.url, { clientId: clientId('flooder') });

    const hostile = fc.sample(
      fc.oneof(
        fc.record({ event: fc.constantFrom(...CLIENT_EVENTS), args: fc.tuple(fc.oneof(anything, monsters.map((make) => make()))) }),
        fc.record({ event: fc.constantFrom('page:enter', 'page:leave'), args: fc.constant<unknown[]>([{ page: target }]) }),
        fc.record({ event: UNKNOWN_NAMES, args: fc.tuple(anything) }),
      ),
      { seed: SEED + 7, numRuns: 4000 },
    );
    const flooded: Array<Promise<any>> = [];
    const flood = async () => {
      for (const [i, { event, args }] of hostile.entries()) {
        flooded.push(request(flooder.socket, event, ...args));
        // Yield now and then so the flood keeps the socket busy rather than one giant write.
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const flooding = flood();

    // Meanwhile the control client enters and leaves, with exact acks every time.
    for (let i = 0; i < 40; i++) {
      expect(await request(control.socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
      expect(await request(control.socket, 'page:leave', { page })).toEqual({ ok: true, page });
    }
    expect(await request(control.socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    await flooding;
    const acks = await Promise.all(flooded);
    for (const ack of acks) expectProtocolAck(ack);
    expect(acks.filter((ack) => ack.ok === false && ack.error.code === 'RATE_LIMITED').length).toBeGreaterThan(3000);

    // Within its burst some of the flooder's own shots were accepted: its acks, replayed in order, say where it is.
    const footprint: Footprint = { userId: flooder.session.userId, pages: new Set(), rooms: new Set() };
    hostile.forEach((shot, i) => track(footprint, { ...shot, silent: false }, acks[i]));
    const on = footprint.pages.has(target) ? 1 : 0;
    expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(target)}`)).body).toEqual({ page: target, viewers: on, connections: on, active: on });
    expect((await get(server.url, `/api/pages/count?page=${encodeURIComponent(page)}`)).body).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    expect((await get(server.url, '/healthz')).status).toBe(200);
    expect(flooder.socket.connected).toBe(true);
  }, 120_000);
});

import fc from 'fast-check';
import { CLIENT_EVENTS, type ClientEventName } from '@presently/protocol';
import type { Socket } from 'socket.io-client';
import {
  barrier,
  clientId,
  closeAll,
  connect,
  HOSTILE_STRINGS,
  record,
  request,
  startServer,
  waitFor,
  type RunningServer,
  type TestSocket,
} from '@presently/testing';

/**
 * Hostile and malformed input, against the built server. The contract
 * (protocol.md, "Acks and errors"): bad input is answered
 * `{ ok: false, error: { code, message } }`, never disconnects anyone else,
 * never changes state and never crashes the process; an event without an
 * ack callback is processed the same way.
 */

type ClientEvent = ClientEventName;

const ERROR_CODES = ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'LIMIT_EXCEEDED', 'INTERNAL'];

/** Emit with nothing but the ack callback. */
const MISSING = Symbol('missing payload');
/** Leave the field out of the payload object. */
const ABSENT = Symbol('absent field');

type Code = 'BAD_REQUEST' | 'LIMIT_EXCEEDED';
type Case = [title: string, event: string, payload: unknown, code: Code];

// Pages and rooms that bad input names with an otherwise valid key: none of
// them may end up with a viewer, a watcher or a member.
const TARGET_PAGE = '/target';
const WATCH_TARGET = '/watch-target';
const TARGET_ROOM = 'target-room';
const TARGET_POLL = 'target-poll';
const BINARY_TARGET_ROOM = 'binary-target-room';
/** The room the bad socket really joined, so that room:update reaches the profile check. */
const JOINED_ROOM = 'bad-joined';
const CONTROL_PAGE = '/control';
const BAD_PROFILE = { name: 'Bad Actor', status: 'online', meta: { v: 1 } };

const raw = (socket: TestSocket) => socket as unknown as Socket;

function send(socket: TestSocket, event: string, payload: unknown): Promise<any> {
  return payload === MISSING ? request(socket, event) : request(socket, event, payload);
}

/** `depth` levels of nested arrays and objects around a string. */
function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value };
  return value;
}

/** `{ ...base, [field]: value }`, or `base` without `field` for ABSENT. */
function withField(base: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const copy = { ...base };
  if (value === ABSENT) delete copy[field];
  else copy[field] = value;
  return copy;
}

function expectProtocolError(ack: unknown, code: Code): void {
  expect(ack).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  expect((ack as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
}

const VALID: Record<ClientEvent, Record<string, unknown>> = {
  'page:enter': { page: TARGET_PAGE },
  'page:leave': { page: TARGET_PAGE },
  'page:watch': { pages: [WATCH_TARGET] },
  'page:unwatch': { pages: [WATCH_TARGET] },
  'room:join': { room: TARGET_ROOM },
  'room:leave': { room: TARGET_ROOM },
  'room:update': { room: JOINED_ROOM, profile: { status: 'away' } },
  'stats:watch': {},
  'stats:unwatch': {},
  'poll:watch': { poll: TARGET_POLL },
  'poll:unwatch': { poll: TARGET_POLL },
  'poll:vote': { poll: TARGET_POLL, option: 'red' },
  'presence:activity': { state: 'idle' },
  'room:typing': { room: JOINED_ROOM, typing: true },
  'session:token': { token: null },
  'room:recent': { room: TARGET_ROOM },
};

/** Payloads where an object belongs, for every event. */
const NOT_OBJECTS = (event: ClientEvent): Array<[string, unknown]> => [
  ['missing payload (ack only)', MISSING],
  ['null', null],
  ['zero', 0],
  ['a number', 42],
  ['a negative float', -1.5],
  ['true', true],
  ['false', false],
  ['an empty string', ''],
  ['a string', 'hello'],
  ['a JSON string of a valid payload', JSON.stringify(VALID[event])],
  ['an empty array', []],
  ['an array holding a valid payload', [VALID[event]]],
  ['binary data', Buffer.from(JSON.stringify(VALID[event]))],
];

/** Own keys that could reach a prototype, and nesting no schema should walk. */
const HOSTILE_OBJECTS = (event: ClientEvent): Array<[string, unknown]> => {
  const valid = JSON.stringify(VALID[event]);
  const proto = `${valid.slice(0, -1)}${valid === '{}' ? '' : ','}"__proto__":{"polluted":true}}`;
  return [
    ['an own __proto__ key', JSON.parse(proto)],
    ['a constructor key', { ...VALID[event], constructor: { prototype: { polluted: true } } }],
    ['a prototype key', { ...VALID[event], prototype: { polluted: true } }],
    ['40 levels of nesting', { ...VALID[event], extra: nest(40) }],
    ['2000 levels of nesting', { ...VALID[event], extra: nest(2000) }],
  ];
};

/** Invalid page or room keys. */
const BAD_KEYS: Array<[string, unknown]> = [
  ['missing', ABSENT],
  ['null', null],
  ['a number', 42],
  ['a boolean', true],
  ['an object', { page: TARGET_PAGE }],
  ['an array', [TARGET_PAGE]],
  ['empty', ''],
  ['513 characters', `/${'a'.repeat(512)}`],
  ['513 UTF-16 code units (257 code points)', `/${'😀'.repeat(256)}`],
  ['a NUL (\\u0000)', '/a\u0000b'],
  ['a DEL (\\u007f)', '/a\u007fb'],
  ['a NEL (\\u0085)', '/a\u0085b'],
  ['a C0 control (\\u001f)', '/a\u001fb'],
  ['a C1 control (\\u009f)', '/a\u009fb'],
  ['a tab', '/a\tb'],
  ['a newline', '/a\n'],
  ['only a control character', '\u0000'],
];

const BAD_PROFILES: Array<[string, unknown, Code]> = [
  ['profile null', null, 'BAD_REQUEST'],
  ['profile a string', 'Ada', 'BAD_REQUEST'],
  ['profile a number', 7, 'BAD_REQUEST'],
  ['profile an array', [{ name: 'Ada' }], 'BAD_REQUEST'],
  ['profile binary data', Buffer.from('{"name":"Ada"}'), 'BAD_REQUEST'],
  ['name of 65 characters', { name: 'n'.repeat(65) }, 'BAD_REQUEST'],
  ['name of 33 emoji (66 UTF-16 code units)', { name: '😀'.repeat(33) }, 'BAD_REQUEST'],
  ['name a number', { name: 42 }, 'BAD_REQUEST'],
  ['name an array', { name: ['Ada'] }, 'BAD_REQUEST'],
  ['name an object', { name: { first: 'Ada' } }, 'BAD_REQUEST'],
  ['status of 33 characters', { status: 's'.repeat(33) }, 'BAD_REQUEST'],
  ['status a number', { status: 1 }, 'BAD_REQUEST'],
  ['status an object', { status: { text: 'away' } }, 'BAD_REQUEST'],
  ['meta null', { meta: null }, 'BAD_REQUEST'],
  ['meta an array', { meta: [1, 2] }, 'BAD_REQUEST'],
  ['meta a string', { meta: '{}' }, 'BAD_REQUEST'],
  ['meta a number', { meta: 1 }, 'BAD_REQUEST'],
  ['meta with an own __proto__ key', { meta: JSON.parse('{"__proto__":{"polluted":true}}') }, 'BAD_REQUEST'],
  ['meta with a constructor key', { meta: { constructor: { prototype: { polluted: true } } } }, 'BAD_REQUEST'],
  ['meta nested 20 levels', { meta: { deep: nest(20) } }, 'BAD_REQUEST'],
  ['meta of 1025 bytes', { meta: { k: 'a'.repeat(1017) } }, 'LIMIT_EXCEEDED'],
  ['meta of 1026 bytes but 517 characters', { meta: { k: 'é'.repeat(509) } }, 'LIMIT_EXCEEDED'],
  ['meta of 8 KiB', { meta: { k: 'a'.repeat(8192) } }, 'LIMIT_EXCEEDED'],
  ['meta of 2000 small keys', { meta: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])) }, 'LIMIT_EXCEEDED'],
];

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const event of CLIENT_EVENTS) {
    for (const [label, payload] of NOT_OBJECTS(event)) cases.push([`${event}: ${label}`, event, payload, 'BAD_REQUEST']);
    for (const [label, payload] of HOSTILE_OBJECTS(event)) cases.push([`${event}: ${label}`, event, payload, 'BAD_REQUEST']);
  }
  for (const event of ['page:enter', 'page:leave'] as const) {
    for (const [label, key] of BAD_KEYS) cases.push([`${event}: page ${label}`, event, withField(VALID[event], 'page', key), 'BAD_REQUEST']);
  }
  for (const event of ['room:join', 'room:leave', 'room:update', 'room:typing', 'room:recent'] as const) {
    for (const [label, key] of BAD_KEYS) cases.push([`${event}: room ${label}`, event, withField(VALID[event], 'room', key), 'BAD_REQUEST']);
  }
  for (const event of ['poll:watch', 'poll:unwatch', 'poll:vote'] as const) {
    for (const [label, key] of BAD_KEYS) cases.push([`${event}: poll ${label}`, event, withField(VALID[event], 'poll', key), 'BAD_REQUEST']);
  }
  for (const [label, option] of [
    ['missing', ABSENT],
    ['null', null],
    ['a number', 1],
    ['empty', ''],
    ['33 characters', 'o'.repeat(33)],
    ['with a space', 'red one'],
    ['with a slash', 'red/blue'],
    ['an array', ['red']],
  ] as Array<[string, unknown]>) {
    cases.push([`poll:vote: option ${label}`, 'poll:vote', withField(VALID['poll:vote'], 'option', option), 'BAD_REQUEST']);
  }
  for (const [label, state] of [
    ['missing', ABSENT],
    ['null', null],
    ['empty', ''],
    ['not a state', 'away'],
    ['in capitals', 'ACTIVE'],
    ['with a space', 'active '],
    ['a number', 1],
    ['a boolean', true],
    ['an array', ['active']],
    ['an object', { state: 'active' }],
  ] as Array<[string, unknown]>) {
    cases.push([`presence:activity: state ${label}`, 'presence:activity', withField(VALID['presence:activity'], 'state', state), 'BAD_REQUEST']);
  }
  for (const event of ['page:watch', 'page:unwatch'] as const) {
    for (const [label, key] of BAD_KEYS) {
      if (key === ABSENT) continue;
      cases.push([`${event}: the only page ${label}`, event, { pages: [key] }, 'BAD_REQUEST']);
      cases.push([`${event}: a valid page and one ${label}`, event, { pages: [WATCH_TARGET, key] }, 'BAD_REQUEST']);
    }
    for (const [label, pages] of [
      ['missing', ABSENT],
      ['null', null],
      ['a string', WATCH_TARGET],
      ['a number', 3],
      ['an object', { 0: WATCH_TARGET }],
    ] as Array<[string, unknown]>) {
      cases.push([`${event}: pages ${label}`, event, withField({ pages: [] }, 'pages', pages), 'BAD_REQUEST']);
    }
    cases.push([`${event}: 0 pages`, event, { pages: [] }, 'BAD_REQUEST']);
    cases.push([`${event}: 101 pages`, event, { pages: Array.from({ length: 101 }, (_, i) => `${WATCH_TARGET}/${i}`) }, 'LIMIT_EXCEEDED']);
    cases.push([`${event}: 101 copies of one page`, event, { pages: Array.from({ length: 101 }, () => WATCH_TARGET) }, 'LIMIT_EXCEEDED']);
    cases.push([`${event}: 1000 pages`, event, { pages: Array.from({ length: 1000 }, (_, i) => `${WATCH_TARGET}/${i}`) }, 'LIMIT_EXCEEDED']);
  }
  for (const [label, profile, code] of BAD_PROFILES) {
    // Binary data gets a room of its own, so that a join it wrongly lets
    // through shows up in that case alone.
    const room = Buffer.isBuffer(profile) ? BINARY_TARGET_ROOM : TARGET_ROOM;
    cases.push([`room:join: ${label}`, 'room:join', { room, profile }, code]);
    cases.push([`room:update: ${label}`, 'room:update', { room: JOINED_ROOM, profile }, code]);
  }
  cases.push(['room:update: profile missing', 'room:update', { room: JOINED_ROOM }, 'BAD_REQUEST']);
  cases.push(['room:update: a room the socket has not joined', 'room:update', { room: 'never-joined', profile: { status: 'away' } }, 'BAD_REQUEST']);
  for (const [label, typing] of [
    ['missing', ABSENT],
    ['null', null],
    ['a string', 'true'],
    ['a number', 1],
    ['an object', { typing: true }],
  ] as Array<[string, unknown]>) {
    cases.push([`room:typing: typing ${label}`, 'room:typing', withField(VALID['room:typing'], 'typing', typing), 'BAD_REQUEST']);
  }
  cases.push(['room:typing: a room the socket has not joined', 'room:typing', { room: 'never-joined', typing: true }, 'BAD_REQUEST']);
  return cases;
}

const CASES: Case[] = buildCases().map(([label, event, payload, code]) => [`${label} -> ${code}`, event, payload, code]);

/** Unknown event names a client can emit; each with an ack must get BAD_REQUEST. */
const UNKNOWN_EVENTS = [
  'hello',
  'page:count',
  'session',
  'room:joined',
  'stats',
  'PAGE:ENTER',
  'page:enter ',
  'page:enter\u0000',
  'page',
  '',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'exception',
  'error',
  'x'.repeat(2000),
];

interface Opened {
  socket: TestSocket;
  clientId: string;
  /** Its public userId, as the server reported it in `session`. */
  userId: string;
}

describe('bad input (one server)', () => {
  let server: RunningServer;
  const opened: Opened[] = [];
  /** page → clientIds on it: what the server must report. */
  const truth = new Map<string, Set<string>>();
  let control1: Opened;
  let control2: Opened;
  let bad: Opened;
  let watcher: Opened;
  let watcherCounts: Array<{ page: string; viewers: number; connections: number }>;
  let controlRoomEvents: Array<Array<{ room: string }>>;
  let badIncoming: Array<{ event: string; args: unknown[] }>;

  async function open(prefix: string): Promise<Opened> {
    const id = clientId(prefix);
    const { socket, session } = await connect(server.url, { clientId: id });
    expect(session.clientId).toBe(id);
    const entry = { socket, clientId: id, userId: session.userId };
    opened.push(entry);
    return entry;
  }

  function entered(page: string, who: Opened): void {
    if (!truth.has(page)) truth.set(page, new Set());
    truth.get(page)!.add(who.clientId);
  }

  function expectedTop(): Array<{ page: string; viewers: number }> {
    return [...truth.entries()]
      .map(([page, clients]) => ({ page, viewers: clients.size }))
      .filter((entry) => entry.viewers > 0)
      .sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0))
      .slice(0, 10);
  }

  async function getJson(path: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await response.json() };
  }

  const pageCount = (page: string) => getJson(`/api/pages/count?page=${encodeURIComponent(page)}`);
  const roomMembers = (room: string) => getJson(`/api/rooms/members?room=${encodeURIComponent(room)}`);

  beforeAll(async () => {
    // One socket sends thousands of events here: the rate limit (tested in
    // rate-limit.spec.ts) is lifted so that each answer is about the input.
    // The target poll is declared, so that bad votes reach a poll that exists.
    server = await startServer({ RATE_LIMIT_PER_S: '1000000', RATE_LIMIT_BURST: '1000000', POLLS: TARGET_POLL });
    control1 = await open('control1');
    control2 = await open('control2');
    bad = await open('bad');
    watcher = await open('watcher');

    expect(await request(control1.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 1, connections: 1, active: 1 });
    entered(CONTROL_PAGE, control1);
    expect(await request(control2.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    entered(CONTROL_PAGE, control2);

    const joined = await request(bad.socket, 'room:join', { room: JOINED_ROOM, profile: BAD_PROFILE });
    expect(joined).toMatchObject({ ok: true, room: JOINED_ROOM, self: { ...BAD_PROFILE, connections: 1 } });
    expect(await request(control1.socket, 'room:join', { room: JOINED_ROOM, profile: { name: 'Control' } })).toMatchObject({ ok: true });

    expect(await request(watcher.socket, 'page:watch', { pages: [TARGET_PAGE, WATCH_TARGET] })).toEqual({
      ok: true,
      counts: [
        { page: TARGET_PAGE, viewers: 0, connections: 0, active: 0 },
        { page: WATCH_TARGET, viewers: 0, connections: 0, active: 0 },
      ],
    });

    watcherCounts = record(watcher.socket, 'page:count');
    // A bad room:typing that got through would reach the control socket, a member of the bad socket's room.
    controlRoomEvents = ['room:joined', 'room:left', 'room:updated', 'room:typing'].map((event) => record<{ room: string }>(control1.socket, event));
    badIncoming = [];
    raw(bad.socket).onAny((event: string, ...args: unknown[]) => badIncoming.push({ event, args }));
  });

  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  describe('every client event rejects malformed payloads with the protocol error shape', () => {
    it.each(CASES)('%s', async (_title, event, payload, code) => {
      const ack = await send(bad.socket, event, payload);
      expectProtocolError(ack, code);
      expect(bad.socket.connected).toBe(true);
    });
  });

  it('accepts the boundaries right below each limit (so the rejections above are about the limits)', async () => {
    const edge = await open('edge');
    const key512 = `/${'a'.repeat(511)}`;
    const key512Emoji = `/${'😀'.repeat(255)}a`;
    expect(key512Emoji.length).toBe(512);
    expect(await request(edge.socket, 'page:leave', { page: key512 })).toEqual({ ok: true, page: key512 });
    expect(await request(edge.socket, 'page:leave', { page: key512Emoji })).toEqual({ ok: true, page: key512Emoji });
    expect(await request(edge.socket, 'room:leave', { room: key512 })).toEqual({ ok: true, room: key512 });

    const hundred = Array.from({ length: 100 }, (_, i) => `/edge/${i}`);
    const watched = await request(edge.socket, 'page:watch', { pages: hundred });
    expect(watched).toEqual({ ok: true, counts: hundred.map((page) => ({ page, viewers: 0, connections: 0, active: 0 })) });
    expect(await request(edge.socket, 'page:unwatch', { pages: hundred })).toEqual({ ok: true });

    const profile = { name: 'n'.repeat(64), status: 's'.repeat(32), meta: { k: 'a'.repeat(1016) } };
    expect(JSON.stringify(profile.meta).length).toBe(1024);
    const join = await request(edge.socket, 'room:join', { room: 'edge-room', profile });
    expect(join).toMatchObject({ ok: true, room: 'edge-room', self: { ...profile, userId: edge.userId, connections: 1 } });
    const wide = { name: '😀'.repeat(32), meta: { k: 'é'.repeat(508) } };
    expect(Buffer.byteLength(JSON.stringify(wide.meta))).toBe(1024);
    expect(await request(edge.socket, 'room:update', { room: 'edge-room', profile: wide })).toMatchObject({
      ok: true,
      self: { ...wide, status: profile.status },
    });
    expect(await request(edge.socket, 'room:leave', { room: 'edge-room' })).toEqual({ ok: true, room: 'edge-room' });
    expect((await roomMembers('edge-room')).body.members).toEqual([]);
  });

  it('answers valid Socket.IO frames the client library would not produce (numeric event name, 100 000 levels of nesting)', async () => {
    const engine = (raw(bad.socket).io as unknown as { engine: { on: (event: string, listener: (packet: { type: string; data?: unknown }) => void) => void; off: (event: string, listener: (packet: { type: string; data?: unknown }) => void) => void; write: (data: string) => void } }).engine;
    const rawRequest = (id: number, body: string) =>
      new Promise<any>((resolve, reject) => {
        const prefix = `3/presence,${id}[`;
        const timer = setTimeout(() => {
          engine.off('packet', onPacket);
          reject(new Error(`no ack ${id} within 5000 ms`));
        }, 5000);
        const onPacket = (packet: { type: string; data?: unknown }) => {
          if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith(prefix)) return;
          clearTimeout(timer);
          engine.off('packet', onPacket);
          resolve(JSON.parse(packet.data.slice(prefix.length - 1))[0]);
        };
        engine.on('packet', onPacket);
        // Socket.IO EVENT packet (type 2) in the /presence namespace with an ack id.
        engine.write(`2/presence,${id}${body}`);
      });

    expectProtocolError(await rawRequest(900_001, '[42,{"page":"/target"}]'), 'BAD_REQUEST');
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectProtocolError(await rawRequest(900_002, `["page:enter",${deep}]`), 'BAD_REQUEST');
    expectProtocolError(await rawRequest(900_003, `["room:join",{"room":"${TARGET_ROOM}","profile":{"meta":{"x":${deep}}}}]`), 'BAD_REQUEST');
    expect(bad.socket.connected).toBe(true);
    await barrier(bad.socket);
  });

  describe('unknown events', () => {
    it.each(UNKNOWN_EVENTS.map((name) => [JSON.stringify(name).slice(0, 40), name]))('%s with an ack answers BAD_REQUEST', async (_label, name) => {
      expectProtocolError(await request(bad.socket, name, { page: TARGET_PAGE }), 'BAD_REQUEST');
      expectProtocolError(await request(bad.socket, name), 'BAD_REQUEST');
      expectProtocolError(await request(bad.socket, name, 1, 'two', [3]), 'BAD_REQUEST');
    });

    it('without an ack are ignored: no reply, the socket stays connected and keeps working', async () => {
      const before = badIncoming.length;
      for (const name of UNKNOWN_EVENTS) {
        raw(bad.socket).emit(name, { page: TARGET_PAGE });
        raw(bad.socket).emit(name);
      }
      await barrier(bad.socket);
      // Nothing came back (stats broadcasts aside, which are not replies).
      expect(badIncoming.slice(before).filter((e) => e.event !== 'stats')).toEqual([]);
      expect(bad.socket.connected).toBe(true);
      expect(await request(bad.socket, 'page:leave', { page: TARGET_PAGE })).toEqual({ ok: true, page: TARGET_PAGE });
    });
  });

  describe('events without an ack callback are processed the same way', () => {
    let noack: Opened;
    const PAGE = '/noack';
    const ROOM = 'noack-room';

    beforeAll(async () => {
      noack = await open('noack');
      expect(await request(watcher.socket, 'page:watch', { pages: [PAGE, `${PAGE}/bad`] })).toMatchObject({ ok: true });
      expect(await request(control2.socket, 'room:join', { room: ROOM, profile: { name: 'Observer' } })).toMatchObject({ ok: true });
    });

    it('page:enter and page:leave without an ack change the counts', async () => {
      let count = waitFor(watcher.socket, 'page:count', (c: any) => c.page === PAGE && c.viewers === 1 && c.connections === 1);
      raw(noack.socket).emit('page:enter', { page: PAGE });
      await count;
      expect(await pageCount(PAGE)).toEqual({ status: 200, body: { page: PAGE, viewers: 1, connections: 1, active: 1 } });

      count = waitFor(watcher.socket, 'page:count', (c: any) => c.page === PAGE && c.viewers === 0 && c.connections === 0);
      raw(noack.socket).emit('page:leave', { page: PAGE });
      await count;
      expect(await pageCount(PAGE)).toEqual({ status: 200, body: { page: PAGE, viewers: 0, connections: 0, active: 0 } });

      count = waitFor(watcher.socket, 'page:count', (c: any) => c.page === PAGE && c.viewers === 1 && c.connections === 1);
      raw(noack.socket).emit('page:enter', { page: PAGE });
      await count;
      entered(PAGE, noack);
      expect(await pageCount(PAGE)).toEqual({ status: 200, body: { page: PAGE, viewers: 1, connections: 1, active: 1 } });
    });

    it('room:join and room:update without an ack are announced', async () => {
      const joined = waitFor(control2.socket, 'room:joined', (e: any) => e.room === ROOM && e.member.userId === noack.userId);
      raw(noack.socket).emit('room:join', { room: ROOM, profile: { name: 'No Ack' } });
      expect(await joined).toEqual({
        room: ROOM,
        member: { userId: noack.userId, name: 'No Ack', status: 'online', meta: {}, connections: 1, since: expect.any(Number), activity: 'active' },
      });
      const updated = waitFor(control2.socket, 'room:updated', (e: any) => e.room === ROOM && e.member.userId === noack.userId);
      raw(noack.socket).emit('room:update', { room: ROOM, profile: { status: 'busy' } });
      expect(await updated).toMatchObject({ room: ROOM, member: { userId: noack.userId, name: 'No Ack', status: 'busy' } });
    });

    it('bad input without an ack changes nothing and keeps the socket', async () => {
      const updates = record<{ room: string }>(control2.socket, 'room:updated');
      const before = watcherCounts.length;
      const hostile: Array<[string, unknown[]]> = [
        ['page:enter', []],
        ['page:enter', [null]],
        ['page:enter', [`${PAGE}/bad`]],
        ['page:enter', [[{ page: `${PAGE}/bad` }]]],
        ['page:enter', [{ page: `${PAGE}/bad`, extra: nest(40) }]],
        ['page:enter', [JSON.parse(`{"page":"${PAGE}/bad","__proto__":{"polluted":true}}`)]],
        ['page:enter', [{ page: `${PAGE}/bad\u0085` }]],
        ['page:leave', [{ page: 42 }]],
        ['page:leave', [JSON.parse(`{"page":"${PAGE}","__proto__":{"polluted":true}}`)]],
        ['page:watch', [{ pages: Array.from({ length: 101 }, (_, i) => `/n/${i}`) }]],
        ['room:update', [{ room: ROOM, profile: { name: 'n'.repeat(65) } }]],
        ['room:update', [{ room: ROOM, profile: { status: 's'.repeat(33) } }]],
        ['room:update', [{ room: ROOM, profile: { meta: { k: 'a'.repeat(2000) } } }]],
        ['room:leave', [{ room: [ROOM] }]],
        ['room:leave', [{ room: ROOM, constructor: { prototype: {} } }]],
        ['room:join', [{ room: `${ROOM}-2`, profile: { name: 42 } }]],
        ['stats:watch', [null]],
      ];
      for (const [event, args] of hostile) raw(noack.socket).emit(event, ...args);
      await barrier(noack.socket);
      await barrier(control2.socket);
      expect(noack.socket.connected).toBe(true);
      expect(updates).toEqual([]);
      expect(watcherCounts.slice(before)).toEqual([]);
      expect(await pageCount(PAGE)).toEqual({ status: 200, body: { page: PAGE, viewers: 1, connections: 1, active: 1 } });
      expect(await pageCount(`${PAGE}/bad`)).toEqual({ status: 200, body: { page: `${PAGE}/bad`, viewers: 0, connections: 0, active: 0 } });
      expect((await roomMembers(`${ROOM}-2`)).body.members).toEqual([]);
      const members = (await roomMembers(ROOM)).body.members;
      expect(members).toHaveLength(2);
      expect(members.find((m: any) => m.userId === noack.userId)).toMatchObject({ name: 'No Ack', status: 'busy', meta: {}, connections: 1 });
    });
  });

  it('survives a fuzz of thousands of random payloads at random events', async () => {
    const fuzz = await open('fuzz');
    const KNOWN_PAGES = new Set([CONTROL_PAGE, '/noack', TARGET_PAGE, WATCH_TARGET]);
    const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
    const hostileString = fc
      .oneof(
        fc.string(),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
        fc.constantFrom(...HOSTILE_STRINGS),
      )
      .filter((s) => !KNOWN_PAGES.has(s));
    const key = fc.constantFrom('page', 'pages', 'room', 'profile', 'name', 'status', 'meta', '__proto__', 'constructor', 'prototype');
    const anything = fc.anything({
      key: fc.oneof(fc.string(), key),
      values: [hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)],
      maxDepth: 20,
      // No Date: socket.io-client itself throws while encoding an object
      // whose own `__proto__` key holds a Date (it assigns keys one by one).
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    const profile = fc.record(
      {
        name: fc.oneof(hostileString, anything),
        status: fc.oneof(hostileString, anything),
        meta: fc.oneof(fc.dictionary(fc.oneof(fc.string(), key), fc.jsonValue()), fc.jsonValue(), anything),
      },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(
      anything,
      fc.jsonValue(),
      fc.record({ page: fc.oneof(hostileString, anything) }),
      fc.record({ pages: fc.oneof(fc.array(hostileString, { maxLength: 120 }), anything) }),
      fc.record({ room: fc.oneof(hostileString, anything), profile: fc.oneof(profile, anything) }, { requiredKeys: ['room'] }),
      fc.dictionary(fc.oneof(fc.string(), key), anything),
    );
    const eventName = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...CLIENT_EVENTS) },
      { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_EVENTS) },
      { weight: 1, arbitrary: fc.string().filter((s) => !RESERVED.has(s)) },
    );
    const args = fc.oneof({ weight: 1, arbitrary: fc.constant([] as unknown[]) }, { weight: 8, arbitrary: fc.tuple(payload) }, { weight: 1, arbitrary: fc.tuple(payload, payload) });

    const fuzzPages = new Set<string>();
    let runs = 0;
    let oks = 0;
    try {
      await fc.assert(
        fc.asyncProperty(eventName, args, async (event, list) => {
          runs++;
          const ack = await request(fuzz.socket, event, ...list);
          expect(ack).toBeInstanceOf(Object);
          if (ack.ok === true) {
            oks++;
            if (event === 'page:enter') {
              // Only the fuzz socket is ever on the pages it enters.
              expect(ack).toEqual({ ok: true, page: expect.any(String), viewers: 1, connections: 1, active: 1 });
              fuzzPages.add(ack.page);
            }
            if (event === 'page:leave') fuzzPages.delete(ack.page);
          } else {
            expect(Object.keys(ack).sort()).toEqual(['error', 'ok']);
            expect(ack.ok).toBe(false);
            expect(ERROR_CODES).toContain(ack.error?.code);
            expect(typeof ack.error.message).toBe('string');
          }
        }),
        { numRuns: 3000 },
      );
    } finally {
      for (const page of fuzzPages) entered(page, fuzz);
    }
    expect(runs).toBeGreaterThanOrEqual(3000);
    expect(oks).toBeGreaterThan(0);

    expect(fuzz.socket.connected).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await request(control1.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    expect(await pageCount(CONTROL_PAGE)).toEqual({ status: 200, body: { page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 } });
  }, 180_000);

  it('after all the bad input: counts are exact, the bad sockets are connected, and nothing changed', async () => {
    // Every socket opened in this file is still connected and answers.
    for (const { socket } of opened) {
      expect(socket.connected).toBe(true);
      await barrier(socket);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // The control page: acks and HTTP agree with the truth.
    expect(await request(control2.socket, 'page:enter', { page: CONTROL_PAGE })).toEqual({ ok: true, page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 });
    expect(await pageCount(CONTROL_PAGE)).toEqual({ status: 200, body: { page: CONTROL_PAGE, viewers: 2, connections: 2, active: 2 } });
    expect(await getJson('/api/stats')).toEqual({
      status: 200,
      body: { online: { connections: opened.length, visitors: opened.length }, top: expectedTop() },
    });

    // The pages and rooms that bad input named have no one.
    expect(await pageCount(TARGET_PAGE)).toEqual({ status: 200, body: { page: TARGET_PAGE, viewers: 0, connections: 0, active: 0 } });
    expect(await pageCount(WATCH_TARGET)).toEqual({ status: 200, body: { page: WATCH_TARGET, viewers: 0, connections: 0, active: 0 } });
    expect(await roomMembers(TARGET_ROOM)).toEqual({ status: 200, body: { room: TARGET_ROOM, members: [], total: 0 } });
    expect(await roomMembers('never-joined')).toEqual({ status: 200, body: { room: 'never-joined', members: [], total: 0 } });
    expect(watcherCounts.filter((c) => c.page === TARGET_PAGE || c.page === WATCH_TARGET)).toEqual([]);
    // No bad vote was counted.
    expect(await request(control2.socket, 'poll:watch', { poll: TARGET_POLL })).toEqual({ ok: true, poll: TARGET_POLL, tallies: {} });

    // No bad room:update changed the bad socket's profile, no bad room:typing made it type, no bad presence:activity changed its activity, and nobody heard of any.
    const members = (await roomMembers(JOINED_ROOM)).body.members;
    expect(members.map((m: any) => m.userId).sort()).toEqual([bad.userId, control1.userId].sort());
    expect(members.find((m: any) => m.userId === bad.userId)).toEqual({
      userId: bad.userId,
      ...BAD_PROFILE,
      connections: 1,
      since: expect.any(Number),
      activity: 'active',
    });
    expect(controlRoomEvents.flat().filter((e) => e.room === JOINED_ROOM)).toEqual([]);

    // No bad page:watch subscribed the bad socket: a real change on the
    // target page reaches the watcher, and not the bad socket.
    const prober = await open('prober');
    const badCounts = record<{ page: string }>(bad.socket, 'page:count');
    const seen = waitFor(watcher.socket, 'page:count', (c: any) => c.page === WATCH_TARGET && c.viewers === 1);
    expect(await request(prober.socket, 'page:enter', { page: WATCH_TARGET })).toMatchObject({ ok: true, viewers: 1 });
    await seen;
    await barrier(bad.socket);
    expect(badCounts).toEqual([]);
    expect(await request(prober.socket, 'page:leave', { page: WATCH_TARGET })).toEqual({ ok: true, page: WATCH_TARGET });
  });
});

describe('frames larger than the transport limit (MAX_HTTP_BUFFER_SIZE=65536)', () => {
  let server: RunningServer;
  let watcher: TestSocket;
  let other: TestSocket;
  const PAGE = '/big';

  beforeAll(async () => {
    server = await startServer({ MAX_HTTP_BUFFER_SIZE: '65536', GRACE_MS: '300' });
    watcher = (await connect(server.url, { clientId: clientId('big-watcher') })).socket;
    other = (await connect(server.url, { clientId: clientId('big-other') })).socket;
    expect(await request(watcher, 'page:enter', { page: PAGE })).toEqual({ ok: true, page: PAGE, viewers: 1, connections: 1, active: 1 });
    expect(await request(other, 'room:join', { room: 'big-room' })).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  async function expectOnlyBystandersLeft(): Promise<void> {
    expect(watcher.connected).toBe(true);
    expect(other.connected).toBe(true);
    expect(await request(watcher, 'page:enter', { page: PAGE })).toEqual({ ok: true, page: PAGE, viewers: 1, connections: 1, active: 1 });
    expect(await request(other, 'room:update', { room: 'big-room', profile: { status: 'away' } })).toMatchObject({ ok: true });
    const count = await fetch(`${server.url}/api/pages/count?page=${encodeURIComponent(PAGE)}`);
    expect(await count.json()).toEqual({ page: PAGE, viewers: 1, connections: 1, active: 1 });
    const stats = await (await fetch(`${server.url}/api/stats`)).json();
    expect(stats).toEqual({ online: { connections: 2, visitors: 2 }, top: [{ page: PAGE, viewers: 1 }] });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }

  it('a frame below the limit is processed normally', async () => {
    const pages = Array.from({ length: 100 }, (_, i) => `/${String(i).padStart(3, '0')}${'w'.repeat(496)}`);
    expect(JSON.stringify(pages).length).toBeGreaterThan(50_000);
    const ack = await request(watcher, 'page:watch', { pages });
    expect(ack.ok).toBe(true);
    expect(ack.counts).toHaveLength(100);
    expect(await request(watcher, 'page:unwatch', { pages })).toEqual({ ok: true });
    expect(watcher.connected).toBe(true);
  });

  it('a ~100 KB frame closes only the sender; the others keep working and the counts are exact after its grace', async () => {
    const sender = (await connect(server.url, { clientId: clientId('big-sender') })).socket;
    const two = waitFor(watcher, 'page:count', (c: any) => c.page === PAGE && c.viewers === 2 && c.connections === 2);
    expect(await request(sender, 'page:enter', { page: PAGE })).toEqual({ ok: true, page: PAGE, viewers: 2, connections: 2, active: 2 });
    await two;

    const acks: unknown[] = [];
    const disconnected = waitFor(sender, 'disconnect');
    const gone = waitFor(watcher, 'page:count', (c: any) => c.page === PAGE && c.viewers === 1 && c.connections === 1);
    raw(sender).emit('page:enter', { page: 'x'.repeat(100_000) }, (ack: unknown) => acks.push(ack));
    await disconnected;
    await gone;
    expect(sender.connected).toBe(false);
    expect(acks).toEqual([]);
    await expectOnlyBystandersLeft();
  });

  it.each([
    ['invalid JSON', '2/presence,7["page:enter",{"page":"/big"'],
    ['a reserved event name', '2/presence,7["disconnect"]'],
    ['an unknown packet type', '9/presence,7["page:enter",{"page":"/big"}]'],
    ['an event that is not an array', '2/presence,7{"page":"/big"}'],
  ])('a malformed frame (%s) affects no one else', async (_label, frame) => {
    const sender = (await connect(server.url, { clientId: clientId('malformed') })).socket;
    const two = waitFor(watcher, 'page:count', (c: any) => c.page === PAGE && c.viewers === 2);
    expect(await request(sender, 'page:enter', { page: PAGE })).toMatchObject({ ok: true, viewers: 2 });
    await two;
    const gone = waitFor(watcher, 'page:count', (c: any) => c.page === PAGE && c.viewers === 1 && c.connections === 1);
    (raw(sender).io as unknown as { engine: { write: (data: string) => void } }).engine.write(frame);
    // The sender may be cut off; either way it goes now, and its grace runs out.
    await barrier(watcher);
    if (sender.connected) sender.disconnect();
    await gone;
    await expectOnlyBystandersLeft();
  });
});

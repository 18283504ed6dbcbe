import { CLIENT_EVENTS, Events } from '@presently/protocol';
import { SOCKET_IO_EVENTS } from '@presently/protocol/validation';
import type { Socket } from 'socket.io-client';
import { clientId, connect, post, request, userToken, useServer, waitFor, type TestSocket } from '@presently/testing';

/**
 * POST /api/emit (protocol.md, "HTTP"): `x-api-key` must match API_KEY;
 * `{ event, data, to }` with exactly one of all, users, role, room; 202
 * `{ ok: true }`; 401 for a wrong or missing key or no API_KEY; 400 for a bad
 * body or a reserved event name.
 */

const SECRET = 'emit-e2e-secret-0123456789abcdef';
const API_KEY = 'emit-e2e-key-9f8e7d6c5b4a';

type Received = Array<{ event: string; args: unknown[] }>;

/** Every application event a socket receives (protocol events aside). */
function inbox(socket: TestSocket): Received {
  const received: Received = [];
  (socket as unknown as Socket).onAny((event: string, ...args: unknown[]) => {
    if (!(Object.values(Events) as string[]).includes(event)) received.push({ event, args });
  });
  return received;
}

describe('POST /api/emit', () => {
  const server = useServer({ API_KEY, JWT_SECRET: SECRET });

  const emit = (body: unknown, key: string | null = API_KEY) => post(server.url, '/api/emit', body, key === null ? {} : { 'x-api-key': key });

  /**
   * Sends a last event to all and waits until every socket has it: Socket.IO
   * keeps each socket's order, so whatever was sent before has arrived.
   */
  async function settle(sockets: TestSocket[]): Promise<void> {
    const marker = `settled-${clientId('m')}`;
    const arrived = sockets.map((socket) => waitFor(socket, 'settle', (payload) => payload === marker));
    expect((await emit({ event: 'settle', data: marker, to: { all: true } })).status).toBe(202);
    await Promise.all(arrived);
  }

  const withoutSettle = (received: Received) => received.filter((r) => r.event !== 'settle');

  async function population() {
    const ada1 = await connect(server.url, { token: await userToken(SECRET, 'ada', { roles: ['admin', 'ops'] }) });
    const ada2 = await connect(server.url, { token: await userToken(SECRET, 'ada', { roles: ['admin', 'ops'] }) });
    const bob = await connect(server.url, { token: await userToken(SECRET, 'bob', { roles: ['ops'] }) });
    // An anonymous browser whose self-chosen clientId is a userId: never reached as that user.
    const anon = await connect(server.url, { clientId: 'carol-lookalike' });
    const sockets = [ada1, ada2, bob, anon].map((s) => s.socket);
    return { sockets, inboxes: sockets.map(inbox), anonId: anon.session.userId };
  }

  it('answers 202 { ok: true } and delivers to all sockets, data defaulting to null', async () => {
    const { sockets, inboxes } = await population();
    const answer = await emit({ event: 'maintenance', data: { at: '22:00', minutes: 5 }, to: { all: true } });
    expect(answer).toMatchObject({ status: 202, body: { ok: true } });
    expect(answer.contentType).toMatch(/application\/json/);
    expect(await emit({ event: 'ping:all', to: { all: true } })).toMatchObject({ status: 202, body: { ok: true } });
    await settle(sockets);
    for (const received of inboxes) {
      expect(withoutSettle(received)).toEqual([
        { event: 'maintenance', args: [{ at: '22:00', minutes: 5 }] },
        { event: 'ping:all', args: [null] },
      ]);
    }
  });

  it('delivers to every socket of the named users, and to no one else', async () => {
    const { sockets, inboxes, anonId } = await population();
    // Neither the anonymous browser's clientId nor its public id names a user.
    expect((await emit({ event: 'order:shipped', data: { id: 'A-17' }, to: { users: ['ada', 'nobody', 'carol-lookalike', anonId] } })).status).toBe(202);
    expect((await emit({ event: 'dm', data: 'hi bob', to: { users: ['bob'] } })).status).toBe(202);
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([
      [{ event: 'order:shipped', args: [{ id: 'A-17' }] }],
      [{ event: 'order:shipped', args: [{ id: 'A-17' }] }],
      [{ event: 'dm', args: ['hi bob'] }],
      [],
    ]);
  });

  it('delivers to the sockets whose token grants the role', async () => {
    const { sockets, inboxes } = await population();
    expect((await emit({ event: 'deploy', data: ['v2', 3], to: { role: 'ops' } })).status).toBe(202);
    expect((await emit({ event: 'audit', data: false, to: { role: 'admin' } })).status).toBe(202);
    expect((await emit({ event: 'void', to: { role: 'nobody-has-this' } })).status).toBe(202);
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([
      [
        { event: 'deploy', args: [['v2', 3]] },
        { event: 'audit', args: [false] },
      ],
      [
        { event: 'deploy', args: [['v2', 3]] },
        { event: 'audit', args: [false] },
      ],
      [{ event: 'deploy', args: [['v2', 3]] }],
      [],
    ]);
  });

  it('delivers to the sockets in a room (anonymous members included), not to those that left', async () => {
    const { sockets, inboxes } = await population();
    const room = `emit-room-${clientId('r')}`;
    for (const socket of [sockets[0], sockets[2], sockets[3]]) expect(await request(socket, 'room:join', { room })).toMatchObject({ ok: true });
    expect(await request(sockets[2], 'room:leave', { room })).toMatchObject({ ok: true });
    expect((await emit({ event: 'room:message', data: { text: 'hello room' }, to: { room } })).status).toBe(202);
    expect((await emit({ event: 'nobody-there', data: 1, to: { room: 'empty-room' } })).status).toBe(202);
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([[{ event: 'room:message', args: [{ text: 'hello room' }] }], [], [], [{ event: 'room:message', args: [{ text: 'hello room' }] }]]);
  });

  it('answers 401 to a missing, empty or wrong key, and delivers nothing', async () => {
    const { sockets, inboxes } = await population();
    const body = { event: 'leak', data: 'secret', to: { all: true } };
    for (const key of [null, '', API_KEY.toUpperCase(), `${API_KEY}x`, API_KEY.slice(0, -1), 'emit-e2e-key']) {
      const answer = await emit(body, key);
      expect({ key, status: answer.status, body: answer.body }).toEqual({ key, status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } } });
    }
    // The key is checked first: a bad body with a bad key is still 401.
    expect((await emit({ event: 'connect', to: {} }, 'wrong')).status).toBe(401);
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([[], [], [], []]);
  });

  it('checks the key before reading the body: malformed or oversized JSON without the key is 401, not the parser\'s 400 or 413', async () => {
    const { sockets, inboxes } = await population();
    const bodies = ['{"event": "x", ', 'not json at all', '{"__proto__":', `{"event":"big","data":"${'x'.repeat(200_000)}","to":{"all":true}}`];
    for (const key of [null, 'wrong']) {
      for (const body of bodies) {
        const answer = await emit(body, key);
        expect({ key, body: body.slice(0, 20), status: answer.status, answer: answer.body }).toEqual({
          key,
          body: body.slice(0, 20),
          status: 401,
          answer: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } },
        });
        expect(answer.text).not.toMatch(/JSON|position|token/i);
      }
    }
    // With the key, the parser's own answer stands.
    expect(await emit(bodies[0])).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([[], [], [], []]);
  });

  const RESERVED = [...SOCKET_IO_EVENTS, ...Object.values(Events), ...CLIENT_EVENTS, 'room:count', 'room:sync'];

  it.each(RESERVED)('answers 400 to the reserved event name %s', async (event) => {
    const answer = await emit({ event, data: {}, to: { all: true } });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.any(String) } } });
  });

  it('answers 400 to every bad body, and delivers nothing', async () => {
    const { sockets, inboxes } = await population();
    const bad: Array<[string, unknown]> = [
      ['not JSON', '{"event": "x", '],
      ['a JSON string', '"hello"'],
      ['a JSON array', [{ event: 'x', to: { all: true } }]],
      ['null', 'null'],
      ['an empty object', {}],
      ['no event', { to: { all: true } }],
      ['no to', { event: 'x' }],
      ['event not a string', { event: 7, to: { all: true } }],
      ['event empty', { event: '', to: { all: true } }],
      ['event with a newline', { event: 'a\nb', to: { all: true } }],
      ['event too long', { event: 'e'.repeat(129), to: { all: true } }],
      ['to null', { event: 'x', to: null }],
      ['to a string', { event: 'x', to: 'all' }],
      ['to empty', { event: 'x', to: {} }],
      ['to with two keys', { event: 'x', to: { all: true, room: 'lobby' } }],
      ['to with users and role', { event: 'x', to: { users: ['ada'], role: 'ops' } }],
      ['to with an unknown key', { event: 'x', to: { everyone: true } }],
      ['all false', { event: 'x', to: { all: false } }],
      ['all a string', { event: 'x', to: { all: 'true' } }],
      ['users empty', { event: 'x', to: { users: [] } }],
      ['users a string', { event: 'x', to: { users: 'ada' } }],
      ['users with a number', { event: 'x', to: { users: ['ada', 42] } }],
      ['users with an empty id', { event: 'x', to: { users: [''] } }],
      ['role empty', { event: 'x', to: { role: '' } }],
      ['role an array', { event: 'x', to: { role: ['ops'] } }],
      ['room empty', { event: 'x', to: { room: '' } }],
      ['room too long', { event: 'x', to: { room: 'r'.repeat(513) } }],
      ['room with a control character', { event: 'x', to: { room: 'lob\u0000by' } }],
      ['a __proto__ key', '{"event":"x","to":{"all":true},"data":{"__proto__":{"polluted":true}}}'],
      ['a constructor key', { event: 'x', to: { all: true }, data: { constructor: { prototype: { polluted: true } } } }],
      ['data nested 40 levels', `{"event":"x","to":{"all":true},"data":${'['.repeat(40)}${']'.repeat(40)}}`],
    ];
    for (const [label, body] of bad) {
      const answer = await emit(body);
      expect({ label, status: answer.status, body: answer.body }).toEqual({ label, status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.any(String) } } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await settle(sockets);
    expect(inboxes.map(withoutSettle)).toEqual([[], [], [], []]);
  });

  it('answers 413 LIMIT_EXCEEDED to a body over 100 KB, and keeps serving', async () => {
    const answer = await emit({ event: 'big', data: 'x'.repeat(200_000), to: { all: true } });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) } } });
    expect((await emit({ event: 'small', to: { all: true } })).status).toBe(202);
  });
});

describe('POST /api/emit without API_KEY', () => {
  const server = useServer({ JWT_SECRET: SECRET });

  it('answers 401 to every call, whatever key it brings', async () => {
    const keys: Array<Record<string, string>> = [{}, { 'x-api-key': '' }, { 'x-api-key': 'anything' }, { 'x-api-key': 'undefined' }];
    for (const headers of keys) {
      const answer = await post(server.url, '/api/emit', { event: 'x', to: { all: true } }, headers);
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    }
    const { socket } = await connect(server.url);
    expect(await request(socket, 'stats:unwatch', {})).toEqual({ ok: true });
  });
});

import { CLIENT_EVENTS, Events } from './events';
import { EMIT_EVENT_MAX_LENGTH, EMIT_USERS_MAX, isReservedEventName, SOCKET_IO_EVENTS, validateEmitRequest, validateEmitTarget } from './emit';

const badRequest = { ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } };

describe('isReservedEventName', () => {
  it.each([...SOCKET_IO_EVENTS, ...Object.values(Events), ...CLIENT_EVENTS, 'room:count', 'room:sync', 'session:expired'])('reserves %s', (name) => {
    expect(isReservedEventName(name)).toBe(true);
  });

  it.each(['order:shipped', 'notification', 'message', 'Connect', 'page:enter ', 'room:message', 'session2', '__proto__', 'toString'])(
    'leaves %j to applications',
    (name) => {
      expect(isReservedEventName(name)).toBe(false);
    },
  );
});

describe('validateEmitTarget', () => {
  it.each([
    [{ all: true }],
    [{ users: ['u1'] }],
    [{ users: ['u1', 'u2', 'u1'] }],
    [{ users: Array.from({ length: EMIT_USERS_MAX }, (_, i) => `u${i}`) }],
    [{ role: 'admin' }],
    [{ room: 'lobby' }],
    [{ room: 'private:x' }],
    [{ room: 'x'.repeat(512) }],
  ])('accepts %j', (to) => {
    expect(validateEmitTarget(to)).toEqual({ ok: true, value: to });
  });

  it.each([
    ['null', null],
    ['a string', 'all'],
    ['an array', [{ all: true }]],
    ['no key', {}],
    ['two keys', { all: true, room: 'lobby' }],
    ['users and role', { users: ['u1'], role: 'admin' }],
    ['an unknown key', { everyone: true }],
    ['all false', { all: false }],
    ['all "true"', { all: 'true' }],
    ['all 1', { all: 1 }],
    ['users empty', { users: [] }],
    ['users a string', { users: 'u1' }],
    ['users with a number', { users: ['u1', 2] }],
    ['users with an empty id', { users: [''] }],
    ['users too many', { users: Array.from({ length: EMIT_USERS_MAX + 1 }, (_, i) => `u${i}`) }],
    ['a userId of 257 characters', { users: ['u'.repeat(257)] }],
    ['role empty', { role: '' }],
    ['role a number', { role: 1 }],
    ['role an array', { role: ['admin'] }],
    ['room empty', { room: '' }],
    ['room of 513 characters', { room: 'x'.repeat(513) }],
    ['room with a control character', { room: 'lob\u0000by' }],
    ['room null', { room: null }],
  ])('refuses %s', (_label, to) => {
    expect(validateEmitTarget(to)).toEqual(badRequest);
  });
});

describe('validateEmitRequest', () => {
  it('accepts every target, defaults data to null and ignores unknown fields', () => {
    expect(validateEmitRequest({ event: 'order:shipped', data: { id: 7 }, to: { users: ['u1'] } })).toEqual({
      ok: true,
      value: { event: 'order:shipped', data: { id: 7 }, to: { users: ['u1'] } },
    });
    expect(validateEmitRequest({ event: 'ping:app', to: { all: true }, extra: 1 })).toEqual({
      ok: true,
      value: { event: 'ping:app', data: null, to: { all: true } },
    });
    for (const data of [null, 0, false, '', 'text', [1, 'a'], { nested: { deep: [true] } }]) {
      expect(validateEmitRequest({ event: 'x', data, to: { room: 'lobby' } })).toEqual({ ok: true, value: { event: 'x', data, to: { room: 'lobby' } } });
    }
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['an array', [{ event: 'x', to: { all: true } }]],
    ['a string', '{"event":"x","to":{"all":true}}'],
    ['no event', { to: { all: true } }],
    ['no to', { event: 'x' }],
    ['an empty event', { event: '', to: { all: true } }],
    ['a numeric event', { event: 42, to: { all: true } }],
    ['an event with a control character', { event: 'a\nb', to: { all: true } }],
    ['an event too long', { event: 'e'.repeat(EMIT_EVENT_MAX_LENGTH + 1), to: { all: true } }],
    ['a Socket.IO event', { event: 'disconnect', to: { all: true } }],
    ['a protocol event', { event: 'room:left', to: { all: true } }],
    ['a client event', { event: 'page:enter', to: { all: true } }],
    ['a bad target', { event: 'x', to: { all: true, users: ['u'] } }],
    ['a __proto__ key in data', { event: 'x', to: { all: true }, data: JSON.parse('{"__proto__":{"polluted":true}}') }],
    ['a constructor key', { event: 'x', to: { all: true }, data: { constructor: { prototype: {} } } }],
    ['data nested too deep', { event: 'x', to: { all: true }, data: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) }],
    ['binary data', { event: 'x', to: { all: true }, data: Buffer.from('x') }],
  ])('refuses %s', (_label, body) => {
    expect(validateEmitRequest(body)).toEqual(badRequest);
  });

  it('names what is wrong', () => {
    expect(validateEmitRequest({ event: 'connect', to: { all: true } })).toMatchObject({ error: { message: expect.stringMatching(/^event: .*reserved/) } });
    expect(validateEmitRequest({ event: 'x', to: { users: [] } })).toMatchObject({ error: { message: expect.stringMatching(/^to\.users/) } });
  });
});

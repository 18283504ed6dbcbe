import { validateDisconnectRequest } from './moderation';

describe('validateDisconnectRequest', () => {
  it.each([
    [{ userId: 'alice' }, { userId: 'alice' }],
    [{ userId: 'alice', room: 'lobby' }, { userId: 'alice', room: 'lobby' }],
    [{ userId: 'a_0123456789abcdefghijkl', room: '/blog/x' }, { userId: 'a_0123456789abcdefghijkl', room: '/blog/x' }],
  ])('accepts %j', (body, value) => {
    expect(validateDisconnectRequest(body)).toEqual({ ok: true, value });
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['an array', [{ userId: 'alice' }]],
    ['a string', 'alice'],
    ['no userId', {}],
    ['an empty userId', { userId: '' }],
    ['a numeric userId', { userId: 42 }],
    ['a userId with a control character', { userId: 'ali\u0000ce' }],
    ['a userId too long', { userId: 'u'.repeat(257) }],
    ['an empty room', { userId: 'alice', room: '' }],
    ['a room that is not a string', { userId: 'alice', room: ['lobby'] }],
    ['a room too long', { userId: 'alice', room: 'r'.repeat(513) }],
    ['a misspelt field', { userId: 'alice', rooms: 'lobby' }],
    ['a prototype key', JSON.parse('{"userId":"alice","__proto__":{"x":1}}')],
  ])('refuses %s as BAD_REQUEST', (_what, body) => {
    const result = validateDisconnectRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('BAD_REQUEST');
  });
});

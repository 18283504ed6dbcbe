import { CLIENT_EVENTS, Events, isClientEvent, PRESENCE_NAMESPACE } from './events';

describe('client events', () => {
  const CONTRACT_CLIENT_EVENTS = [
    'page:enter',
    'page:leave',
    'page:watch',
    'page:unwatch',
    'room:join',
    'room:leave',
    'room:update',
    'stats:watch',
    'stats:unwatch',
    // v1.1
    'presence:activity',
    'room:typing',
    'session:token',
    'room:recent',
  ];
  /** Protocol extensions (docs/protocol-decisions.md). */
  const EXTENSION_CLIENT_EVENTS = ['poll:watch', 'poll:unwatch', 'poll:vote'];

  it('are exactly the client→server events of the contract and its extensions', () => {
    expect([...CLIENT_EVENTS].sort()).toEqual([...CONTRACT_CLIENT_EVENTS, ...EXTENSION_CLIENT_EVENTS].sort());
    expect(new Set(CLIENT_EVENTS).size).toBe(CLIENT_EVENTS.length);
  });

  it('use the contract namespace', () => {
    expect(PRESENCE_NAMESPACE).toBe('/presence');
  });
});

describe('isClientEvent', () => {
  it.each(CLIENT_EVENTS)('accepts %s', (name) => {
    expect(isClientEvent(name)).toBe(true);
  });

  it.each(['session', 'page:count', 'room:joined', 'room:left', 'room:updated', 'stats', 'room:count', 'room:sync'])(
    'rejects the server→client event %s',
    (name) => {
      expect(isClientEvent(name)).toBe(false);
    },
  );

  it('rejects every server event listed in Events', () => {
    const serverEvents = Object.values(Events).filter((name) => !(CLIENT_EVENTS as readonly string[]).includes(name));
    expect(serverEvents.length).toBeGreaterThan(0);
    for (const name of serverEvents) expect(isClientEvent(name)).toBe(false);
  });

  it.each([
    '',
    'page',
    'page:',
    'page:enter ',
    ' page:enter',
    'PAGE:ENTER',
    'Page:Enter',
    'page_enter',
    'page:enter\u0000',
    'connect',
    'disconnect',
    'connect_error',
    'error',
    'message',
    'unknown:event',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
  ])('rejects the unknown name %j', (name) => {
    expect(isClientEvent(name)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 1],
    ['a boolean', true],
    ['an object', { name: 'page:enter' }],
    ['an array', ['page:enter']],
    ['a String object', new String('page:enter')],
    ['an object whose toString is a client event', { toString: () => 'page:enter' }],
    ['a symbol', Symbol('page:enter')],
  ])('rejects %s (not a string)', (_label, name) => {
    expect(isClientEvent(name)).toBe(false);
  });
});

import { ErrorCodes } from '@presently/protocol';
import { anonymous, registryUnderTest, signedIn, TEST_OPTIONS, type RegistryUnderTest } from '../testing';

const TYPING_MS = 6000;

describe('typing', () => {
  let t: RegistryUnderTest;

  beforeEach(() => {
    t = registryUnderTest({ ...TEST_OPTIONS, typingMs: TYPING_MS });
    t.presence.connect('ann-1', signedIn('laptop01', 'ann'));
    t.presence.connect('ann-2', signedIn('phone001', 'ann'));
    t.presence.connect('bob-1', signedIn('bobby001', 'bob'));
    for (const id of ['ann-1', 'ann-2', 'bob-1']) t.presence.joinRoom(id, 'lobby');
    t.settle();
  });

  afterEach(() => t.presence.dispose());

  const typing = (userId: string, on: boolean, except: string | null) => ({ type: 'room:typing', room: 'lobby', userId, typing: on, except });

  it('announces a member starting and stopping to the room but the socket that typed, and lists who types', () => {
    expect(t.presence.setTyping('ann-1', 'lobby', true)).toEqual({ ok: true });
    expect(t.sink.take()).toEqual([typing('ann', true, 'ann-1')]);
    expect(t.presence.typingIn('lobby')).toEqual(['ann']);
    expect(t.presence.setTyping('bob-1', 'lobby', true)).toEqual({ ok: true });
    expect(t.presence.typingIn('lobby')).toEqual(['ann', 'bob']);
    expect(t.presence.setTyping('ann-1', 'lobby', false)).toEqual({ ok: true });
    expect(t.sink.take()).toEqual([typing('bob', true, 'bob-1'), typing('ann', false, 'ann-1')]);
    expect(t.presence.typingIn('lobby')).toEqual(['bob']);
    // Stopping again, or without having typed, is ok and announces nothing.
    expect(t.presence.setTyping('ann-1', 'lobby', false)).toEqual({ ok: true });
    expect(t.sink.take()).toEqual([]);
  });

  it('announces nothing for a renewal, and ends TYPING_MS after the last typing: true', () => {
    t.presence.setTyping('ann-1', 'lobby', true);
    t.sink.take();
    t.clock.advance(4000);
    expect(t.presence.setTyping('ann-1', 'lobby', true)).toEqual({ ok: true });
    t.clock.advance(TYPING_MS - 1);
    expect(t.sink.take()).toEqual([]);
    expect(t.presence.typingIn('lobby')).toEqual(['ann']);
    t.clock.advance(1);
    expect(t.sink.take()).toEqual([typing('ann', false, 'ann-1')]);
    expect(t.presence.typingIn('lobby')).toEqual([]);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('keeps a member typing while any of its sockets types: its other tab starting or stopping is no news', () => {
    t.presence.setTyping('ann-1', 'lobby', true);
    t.clock.advance(3000);
    t.presence.setTyping('ann-2', 'lobby', true);
    expect(t.sink.take()).toEqual([typing('ann', true, 'ann-1')]);
    // The first tab's deadline passes: the second still types.
    t.clock.advance(3000);
    expect(t.sink.take()).toEqual([]);
    expect(t.presence.typingIn('lobby')).toEqual(['ann']);
    t.presence.setTyping('ann-2', 'lobby', false);
    expect(t.sink.take()).toEqual([typing('ann', false, 'ann-2')]);
  });

  it('ends on leave, announced before the leave; a tab leaving while another types changes nothing', () => {
    t.presence.setTyping('ann-1', 'lobby', true);
    t.presence.setTyping('ann-2', 'lobby', true);
    t.sink.take();
    t.presence.leaveRoom('ann-1', 'lobby');
    expect(t.sink.take()).toEqual([]);
    t.presence.leaveRoom('ann-2', 'lobby');
    expect(t.sink.take()).toEqual([typing('ann', false, 'ann-2'), expect.objectContaining({ type: 'room:left', userId: 'ann', reason: 'leave' })]);
    expect(t.presence.typingIn('lobby')).toEqual([]);
    t.clock.advance(TYPING_MS);
    expect(t.sink.take()).toEqual([]);
  });

  it('ends when the socket’s grace starts: the held member is still listed, and its expiry announces no second stop', () => {
    t.presence.setTyping('bob-1', 'lobby', true);
    t.sink.take();
    t.presence.disconnect('bob-1');
    expect(t.sink.take()).toEqual([typing('bob', false, 'bob-1')]);
    expect(t.presence.members('lobby').map((m) => m.userId)).toEqual(['ann', 'bob']);
    expect(t.presence.typingIn('lobby')).toEqual([]);
    t.clock.advance(TEST_OPTIONS.graceMs);
    expect(t.sink.take()).toEqual([expect.objectContaining({ type: 'room:left', userId: 'bob', reason: 'disconnect' })]);
  });

  it('refuses a room the socket has not joined, and a socket that is gone, with BAD_REQUEST and no change', () => {
    t.presence.connect('eve-1', anonymous('evening1'));
    for (const result of [t.presence.setTyping('eve-1', 'lobby', true), t.presence.setTyping('ghost', 'lobby', true)]) {
      expect(result).toEqual({ ok: false, error: { code: ErrorCodes.BadRequest, message: expect.any(String) } });
    }
    t.presence.leaveRoom('bob-1', 'lobby');
    t.sink.take();
    expect(t.presence.setTyping('bob-1', 'lobby', true).ok).toBe(false);
    expect(t.sink.take()).toEqual([]);
    expect(t.presence.typingIn('lobby')).toEqual([]);
  });

  it('keeps one timer for every typing socket', () => {
    const before = t.clock.pendingTimers;
    for (let i = 0; i < 50; i++) {
      t.presence.connect(`s${i}`, anonymous(`client-${i}`));
      t.presence.joinRoom(`s${i}`, 'crowd');
      t.presence.setTyping(`s${i}`, 'crowd', true);
      t.clock.advance(10);
    }
    t.clock.flush();
    expect(t.presence.typingIn('crowd')).toHaveLength(50);
    expect(t.clock.pendingTimers - before).toBeLessThanOrEqual(3);
    t.clock.advance(TYPING_MS);
    expect(t.presence.typingIn('crowd')).toEqual([]);
  });

  it('is kept, not announced, while the room is large; the room:sync that ends it lists who types', () => {
    const large = registryUnderTest({ ...TEST_OPTIONS, typingMs: TYPING_MS, rosterMax: 3 });
    for (const name of ['ann', 'bob', 'cat', 'dan']) {
      large.presence.connect(name, signedIn(`${name}-laptop`, name));
      large.presence.joinRoom(name, 'lobby');
    }
    large.settle();
    large.presence.setTyping('ann', 'lobby', true);
    large.presence.setTyping('bob', 'lobby', true);
    large.presence.setTyping('bob', 'lobby', false);
    large.presence.setTyping('cat', 'lobby', true);
    large.presence.leaveRoom('dan', 'lobby');
    expect(large.sink.take()).toEqual([]);
    expect(large.presence.typingIn('lobby')).toEqual(['ann', 'cat']);
    // Cat's leave takes the room below 90 % of the line: one snapshot, with who types, instead of its events.
    large.presence.leaveRoom('cat', 'lobby');
    expect(large.sink.take()).toEqual([
      { type: 'room:sync', room: 'lobby', members: large.presence.members('lobby'), total: 2, typing: ['ann'] },
    ]);
    large.presence.setTyping('ann', 'lobby', false);
    expect(large.sink.take()).toEqual([{ type: 'room:typing', room: 'lobby', userId: 'ann', typing: false, except: 'ann' }]);
    large.presence.dispose();
  });
});

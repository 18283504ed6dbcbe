import { ErrorCodes, type AckError } from '@presently/protocol';
import { Presence, type PresenceOptions, type Result } from '../index';
import { TEST_OPTIONS, anonymous, signedIn, ManualClock, RecordingSink } from '../testing';
import { keyCost, profileCost } from './state-cost';

/*
 * The address budget as the registry applies it: what each event charges to
 * its connection's address (the formula of `state-cost.ts`), the refusal
 * exactly where the budget ends, and every way the bytes come back.
 */

const HERE = '203.0.113.7';
const THERE = '198.51.100.9';
const PAGE = '/p'.padEnd(100, 'x');
const ROOM = 'lobby'.padEnd(60, 'x');
const defaultProfile = (name = 'Anonymous') => profileCost({ name, status: 'online', meta: {} });

function expectRefused(result: Result<object>): void {
  expect(result.ok).toBe(false);
  expect((result as AckError).error.code).toBe(ErrorCodes.LimitExceeded);
}

describe('Presence: the address budget', () => {
  let clock: ManualClock;
  let presence: Presence;

  const setup = (maxBytesPerAddress: number, overrides: Partial<PresenceOptions> = {}) => {
    clock = new ManualClock();
    presence = new Presence(clock, new RecordingSink(), { ...TEST_OPTIONS, maxBytesPerAddress, ...overrides });
  };

  afterEach(() => presence.dispose());

  it('charges a page entered, a page watched and a room joined with its profile, each once', () => {
    setup(0);
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.enterPage('s1', PAGE);
    presence.enterPage('s1', PAGE);
    expect(presence.addressBytes(HERE)).toBe(keyCost(PAGE));
    presence.watchPages('s1', [PAGE, PAGE]);
    presence.watchPages('s1', [PAGE]);
    expect(presence.addressBytes(HERE)).toBe(2 * keyCost(PAGE));
    presence.joinRoom('s1', ROOM, { meta: { color: 'red' } });
    const profile = profileCost({ name: 'Anonymous', status: 'online', meta: { color: 'red' } });
    expect(presence.addressBytes(HERE)).toBe(2 * keyCost(PAGE) + keyCost(ROOM) + profile);
    expect(presence.stateBytes()).toBe(presence.addressBytes(HERE));
  });

  it('refuses the page that would pass the budget by one byte, and admits it with that byte more', () => {
    const room = keyCost(ROOM) + defaultProfile();
    for (const extra of [-1, 0]) {
      setup(2 * keyCost(PAGE) + room + extra);
      presence.connect('s1', anonymous('client-1'), { address: HERE });
      expect(presence.enterPage('s1', PAGE).ok).toBe(true);
      expect(presence.joinRoom('s1', ROOM).ok).toBe(true);
      const last = presence.watchPages('s1', [PAGE]);
      if (extra < 0) expectRefused(last);
      else expect(last.ok).toBe(true);
      presence.dispose();
    }
  });

  it('changes nothing when it refuses: no count, no member, no subscription, no byte', () => {
    setup(keyCost(PAGE));
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.enterPage('s1', PAGE);
    const before = presence.addressBytes(HERE);
    expectRefused(presence.enterPage('s1', '/other'));
    expectRefused(presence.watchPages('s1', ['/w1', '/w2']));
    expectRefused(presence.joinRoom('s1', ROOM));
    expect(presence.pageCounts('/other')).toEqual({ page: '/other', viewers: 0, connections: 0, active: 0 });
    expect(presence.members(ROOM)).toEqual([]);
    expect(presence.addressBytes(HERE)).toBe(before);
    // Nothing was watched: unwatching gives nothing back and answers no page to leave.
    expect(presence.unwatchPages('s1', ['/w1'])).toEqual({ ok: true, unsubscribe: [] });
  });

  it('counts every socket of an address against one budget, and no other address against it', () => {
    setup(keyCost(PAGE) * 2);
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.connect('s2', anonymous('client-2'), { address: HERE });
    presence.connect('s3', anonymous('client-3'), { address: THERE });
    expect(presence.enterPage('s1', PAGE).ok).toBe(true);
    expect(presence.enterPage('s2', PAGE).ok).toBe(true);
    expectRefused(presence.watchPages('s2', [PAGE]));
    expect(presence.enterPage('s3', PAGE).ok).toBe(true);
    expect(presence.watchPages('s3', [PAGE]).ok).toBe(true);
  });

  it('gives the bytes back on leave, unwatch and room leave, and then admits again', () => {
    setup(keyCost(PAGE));
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.enterPage('s1', PAGE);
    expectRefused(presence.watchPages('s1', [PAGE]));
    presence.leavePage('s1', PAGE);
    expect(presence.addressBytes(HERE)).toBe(0);
    expect(presence.watchPages('s1', [PAGE]).ok).toBe(true);
    presence.unwatchPages('s1', [PAGE]);
    expect(presence.addressBytes(HERE)).toBe(0);
    setup(keyCost(ROOM) + defaultProfile());
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.joinRoom('s1', ROOM);
    presence.leaveRoom('s1', ROOM);
    expect(presence.addressBytes(HERE)).toBe(0);
  });

  it('charges a profile change its difference: a larger one may be refused, a smaller one gives bytes back', () => {
    const big = { note: 'x'.repeat(400) };
    const bigProfile = profileCost({ name: 'Anonymous', status: 'online', meta: big });
    setup(keyCost(ROOM) + bigProfile);
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.joinRoom('s1', ROOM);
    expect(presence.updateProfile('s1', ROOM, { meta: big }).ok).toBe(true);
    expect(presence.addressBytes(HERE)).toBe(keyCost(ROOM) + bigProfile);
    expectRefused(presence.updateProfile('s1', ROOM, { meta: big, status: 'online, busy' }));
    expect(presence.members(ROOM)[0].status).toBe('online');
    expect(presence.updateProfile('s1', ROOM, { meta: {} }).ok).toBe(true);
    expect(presence.addressBytes(HERE)).toBe(keyCost(ROOM) + defaultProfile());
    // A join of a room it is in is a profile change too.
    expectRefused(presence.joinRoom('s1', ROOM, { meta: { ...big, more: 1 } }));
    expect(presence.addressBytes(HERE)).toBe(keyCost(ROOM) + defaultProfile());
  });

  it('holds the bytes of a disconnected connection for its grace period, watches excepted, then gives them back', () => {
    setup(0);
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.enterPage('s1', PAGE);
    presence.watchPages('s1', ['/w']);
    presence.joinRoom('s1', ROOM);
    presence.disconnect('s1');
    expect(presence.addressBytes(HERE)).toBe(keyCost(PAGE) + keyCost(ROOM) + defaultProfile());
    clock.advance(TEST_OPTIONS.graceMs);
    expect(presence.addressBytes(HERE)).toBe(0);
    expect(presence.stateBytes()).toBe(0);
  });

  it('moves a held place to the connection that takes it, which may come from another address', () => {
    setup(0);
    presence.connect('s1', anonymous('client-1'), { address: HERE });
    presence.enterPage('s1', PAGE);
    presence.joinRoom('s1', ROOM);
    presence.disconnect('s1');
    presence.connect('s2', anonymous('client-1'), { address: THERE });
    presence.enterPage('s2', PAGE);
    expect(presence.addressBytes(HERE)).toBe(keyCost(ROOM) + defaultProfile());
    presence.joinRoom('s2', ROOM);
    expect(presence.addressBytes(HERE)).toBe(0);
    expect(presence.addressBytes(THERE)).toBe(keyCost(PAGE) + keyCost(ROOM) + defaultProfile());
    expect(presence.sizes().held).toBe(0);
  });

  it("hands a profile's charge to a connection of the member that stays when the one that set it leaves", () => {
    const meta = { note: 'y'.repeat(300) };
    setup(0);
    presence.connect('s1', signedIn('client-1', 'ann'), { address: HERE });
    presence.connect('s2', signedIn('client-2', 'ann'), { address: THERE });
    presence.joinRoom('s1', ROOM);
    presence.joinRoom('s2', ROOM, { meta });
    const profile = profileCost({ name: 'ann', status: 'online', meta });
    expect(presence.addressBytes(THERE)).toBe(keyCost(ROOM) + profile);
    presence.leaveRoom('s2', ROOM);
    expect(presence.addressBytes(THERE)).toBe(0);
    expect(presence.addressBytes(HERE)).toBe(keyCost(ROOM) + profile);
    presence.leaveRoom('s1', ROOM);
    expect(presence.stateBytes()).toBe(0);
  });

  it("charges a crawler's pages and watches too, and gives them back at its disconnect", () => {
    setup(keyCost(PAGE));
    presence.connect('bot', anonymous('client-bot'), { address: HERE, counted: false });
    expect(presence.enterPage('bot', PAGE).ok).toBe(true);
    expectRefused(presence.watchPages('bot', ['/w']));
    presence.disconnect('bot');
    expect(presence.addressBytes(HERE)).toBe(0);
  });

  it('comes back to 0 for every address once every socket is gone and the grace ran out', () => {
    setup(1024 * 1024);
    for (let i = 0; i < 20; i++) {
      const id = `s${i}`;
      presence.connect(id, i % 3 ? anonymous(`client-${i % 4}`) : signedIn(`client-${i % 4}`, 'ann'), { address: i % 2 ? HERE : THERE });
      presence.enterPage(id, `/p${i % 5}`);
      presence.watchPages(id, [`/w${i % 7}`, `/p${i % 5}`]);
      presence.joinRoom(id, `room-${i % 3}`, { meta: { i } });
      if (i % 4 === 0) presence.updateProfile(id, `room-${i % 3}`, { status: 'away' });
    }
    for (let i = 0; i < 20; i++) if (i % 5 === 0) presence.leaveRoom(`s${i}`, `room-${i % 3}`);
    for (let i = 0; i < 20; i++) presence.disconnect(`s${i}`);
    expect(presence.stateBytes()).toBeGreaterThan(0);
    clock.advance(TEST_OPTIONS.graceMs);
    expect([presence.addressBytes(HERE), presence.addressBytes(THERE), presence.stateBytes()]).toEqual([0, 0, 0]);
  });
});

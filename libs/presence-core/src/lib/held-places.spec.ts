import { ConnectionLimiter, Presence, type PresenceLedger } from '../index';
import { registryUnderTest, TEST_OPTIONS, anonymous, ManualClock, RecordingSink } from '../testing';

/**
 * Held places per address: a disconnected connection counts against its
 * address for its grace period, the per-address limit counts open and held
 * together, and a connection at the limit ends the address's oldest held
 * place exactly as its grace running out would.
 */

describe('held places per address', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let presence: Presence;
  let settle: () => void;

  beforeEach(() => ({ clock, sink, presence, settle } = registryUnderTest()));
  afterEach(() => presence.dispose());

  /** A connection of `address` with a fresh clientId entering `page` (the attack's step). */
  let next = 0;
  const enter = (address: string, page: string, clientId = `fresh-${++next}`) => {
    const id = `s${++next}`;
    presence.connect(id, anonymous(clientId), { address });
    presence.enterPage(id, page);
    return id;
  };

  it('counts held connections by address, oldest first, until they end', () => {
    const a1 = enter('10.0.0.1', '/p');
    const a2 = enter('10.0.0.1', '/p');
    const b1 = enter('10.0.0.2', '/p');
    presence.connect('idle', anonymous('idle-client'), { address: '10.0.0.1' });
    expect(presence.heldAt('10.0.0.1')).toBe(0);

    presence.disconnect(a1);
    clock.advance(1);
    presence.disconnect(a2);
    presence.disconnect(b1);
    // A connection on no page is not held: it does not count.
    presence.disconnect('idle');
    expect([presence.heldAt('10.0.0.1'), presence.heldAt('10.0.0.2')]).toEqual([2, 1]);

    clock.advance(TEST_OPTIONS.graceMs - 1);
    // a1 was held 1 ms earlier: its time ran out first.
    expect([presence.heldAt('10.0.0.1'), presence.heldAt('10.0.0.2')]).toEqual([1, 1]);
    clock.advance(1);
    expect([presence.heldAt('10.0.0.1'), presence.heldAt('10.0.0.2')]).toEqual([0, 0]);
  });

  it('ends the oldest held place early as its grace running out would: counts down, room:left disconnect, no timer left', () => {
    const watcher = enter('10.0.0.9', '/p');
    const old = enter('10.0.0.1', '/p', 'old-client');
    presence.joinRoom(old, 'lobby', { name: 'Old' });
    const newer = enter('10.0.0.1', '/p', 'newer-client');
    settle();
    presence.disconnect(old);
    clock.advance(1);
    presence.disconnect(newer);
    expect(presence.pageCounts('/p').viewers).toBe(3);

    expect(presence.endOldestHeld('10.0.0.1')).toBe(true);
    expect(sink.events).toEqual([{ type: 'room:left', room: 'lobby', userId: 'old-client', reason: 'disconnect', duration: 3000, except: null }]);
    clock.flush();
    expect(sink.take()).toEqual([
      { type: 'room:left', room: 'lobby', userId: 'old-client', reason: 'disconnect', duration: 3000, except: null },
      { type: 'page:count', counts: { page: '/p', viewers: 2, connections: 2, active: 2 } },
    ]);
    expect(presence.heldAt('10.0.0.1')).toBe(1);
    expect(presence.stats().online).toEqual({ connections: 2, visitors: 2 });

    // The ended one's timer is gone: when the newer one's grace ends, only it goes.
    clock.advance(TEST_OPTIONS.graceMs);
    expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
    expect(presence.endOldestHeld('10.0.0.1')).toBe(false);
    expect(presence.sizes()).toMatchObject({ held: 0, connections: 1 });
    presence.disconnect(watcher);
  });

  it('a returning client takes its held place back: it no longer counts against the address', () => {
    const first = enter('10.0.0.1', '/p', 'reloader-1');
    presence.disconnect(first);
    expect(presence.heldAt('10.0.0.1')).toBe(1);
    enter('10.0.0.1', '/p', 'reloader-1');
    expect(presence.heldAt('10.0.0.1')).toBe(0);
    expect(presence.pageCounts('/p')).toEqual({ page: '/p', viewers: 1, connections: 1, active: 1 });
  });

  it('with the limiter: the attack (fresh clientIds entering and closing) never shows more viewers than the limit', () => {
    const MAX = 5;
    const limiter = new ConnectionLimiter(MAX, presence);
    let maxViewers = 0;
    for (let round = 0; round < 40; round++) {
      const ids: string[] = [];
      for (let i = 0; i < MAX; i++) {
        expect(limiter.acquire('10.0.0.1')).toBe(true);
        ids.push(enter('10.0.0.1', '/attacked'));
        maxViewers = Math.max(maxViewers, presence.pageCounts('/attacked').viewers);
      }
      for (const id of ids) {
        presence.disconnect(id);
        limiter.release('10.0.0.1');
      }
      clock.advance(10);
    }
    expect(maxViewers).toBe(MAX);
    expect(presence.pageCounts('/attacked').viewers).toBe(MAX);
    expect(presence.heldAt('10.0.0.1')).toBe(MAX);
    clock.advance(TEST_OPTIONS.graceMs);
    expect(presence.pageCounts('/attacked').viewers).toBe(0);
  });

  it('with the limiter: refuses only when the limit is open connections, and leaves other addresses alone', () => {
    const limiter = new ConnectionLimiter(2, presence);
    const other = enter('10.0.0.2', '/p');
    presence.disconnect(other);
    for (let i = 0; i < 2; i++) {
      expect(limiter.acquire('10.0.0.1')).toBe(true);
      enter('10.0.0.1', '/p');
    }
    expect(limiter.acquire('10.0.0.1')).toBe(false);
    expect(presence.heldAt('10.0.0.2')).toBe(1);
    expect(presence.pageCounts('/p').viewers).toBe(3);
  });

  it('ending a held place early tells a cluster ledger exactly what its expiry tells it', () => {
    const run = (end: (local: Presence, localClock: ManualClock) => void) => {
      const calls: unknown[] = [];
      const ledger: PresenceLedger = {
        online: (clientId, delta) => calls.push(['online', clientId, delta]),
        page: (page, who, delta, held) => calls.push(['page', page, who.clientId, delta, held]),
        room: (room, who, delta, change) => calls.push(['room', room, who.clientId, delta, change.reason ?? null, change.held ?? false]),
        hold: (kind, key, who, delta) => calls.push(['hold', kind, key, who.clientId, delta]),
        typing: (room, who, delta) => calls.push(['typing', room, who.clientId, delta]),
        switchUser: (room, from, to) => calls.push(['switchUser', room, from.userKey, to.userKey]),
        activity: (who, from, pages, rooms) => calls.push(['activity', who.clientId, from, who.activity, pages, rooms]),
      };
      const localClock = new ManualClock();
      const local = new Presence(localClock, null, TEST_OPTIONS, ledger);
      local.connect('s1', anonymous('held-client'), { address: '10.0.0.1' });
      local.enterPage('s1', '/p');
      local.joinRoom('s1', 'lobby', {});
      local.disconnect('s1');
      calls.length = 0;
      end(local, localClock);
      expect(localClock.pendingTimers).toBe(0);
      local.dispose();
      return calls;
    };
    const expired = run((_, localClock) => localClock.advance(TEST_OPTIONS.graceMs));
    expect(expired).toEqual([
      ['page', '/p', 'held-client', -1, true],
      ['room', 'lobby', 'held-client', -1, 'disconnect', true],
      ['online', 'held-client', -1],
    ]);
    expect(run((local) => expect(local.endOldestHeld('10.0.0.1')).toBe(true))).toEqual(expired);
  });
});

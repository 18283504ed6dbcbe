import { ManualClock } from '../testing';
import { RatedAnnouncer } from './rated-announcer';

describe('RatedAnnouncer', () => {
  let clock: ManualClock;
  let start: number;
  let sent: Array<{ key: string; rate: number; value: number; at: number }>;
  let wanted: Set<string>;
  let rated: RatedAnnouncer<string, number>;

  beforeEach(() => {
    clock = new ManualClock();
    start = clock.now();
    sent = [];
    wanted = new Set(['a@5000', 'a@60000']);
    rated = new RatedAnnouncer<string, number>(clock, {
      rates: [5000, 60000],
      same: (x, y) => x === y,
      wanted: (key, rate) => wanted.has(`${key}@${rate}`),
      deliver: (key, rate, value) => sent.push({ key, rate, value, at: clock.now() - start }),
    });
  });

  afterEach(() => rated.dispose());

  it('sends the first change at once (leading edge), merges the rest and sends the last value when the rate ends', () => {
    rated.offer('a', 1);
    clock.flush();
    expect(sent).toEqual([
      { key: 'a', rate: 5000, value: 1, at: 0 },
      { key: 'a', rate: 60000, value: 1, at: 0 },
    ]);
    sent = [];
    clock.advance(1000);
    rated.offer('a', 2);
    clock.advance(1000);
    rated.offer('a', 3);
    clock.advance(2999);
    expect(sent).toEqual([]);
    clock.advance(1);
    expect(sent).toEqual([{ key: 'a', rate: 5000, value: 3, at: 5000 }]);
    clock.advance(55000);
    expect(sent).toEqual([
      { key: 'a', rate: 5000, value: 3, at: 5000 },
      { key: 'a', rate: 60000, value: 3, at: 60000 },
    ]);
  });

  it('after a quiet rate, the next change goes out at once', () => {
    rated.offer('a', 1);
    clock.advance(10000);
    sent = [];
    rated.offer('a', 2);
    clock.flush();
    expect(sent.filter((s) => s.rate === 5000)).toEqual([{ key: 'a', rate: 5000, value: 2, at: 10000 }]);
  });

  it('sends nothing for a value its class already sent, unless a subscriber was acked another', () => {
    rated.offer('a', 1);
    clock.advance(5000);
    sent = [];
    rated.offer('a', 1);
    clock.advance(5000);
    expect(sent.filter((s) => s.rate === 5000)).toEqual([]);
    rated.acked('a', 5000, 'late', 2);
    rated.offer('a', 1);
    clock.flush();
    expect(sent.filter((s) => s.rate === 5000)).toEqual([{ key: 'a', rate: 5000, value: 1, at: 10000 }]);
  });

  it('takes the first ack of a class that holds nothing as what its subscribers hold: that value costs no message and no window', () => {
    rated.acked('a', 5000, 'reader', 1);
    rated.offer('a', 1);
    clock.flush();
    expect(sent.filter((s) => s.rate === 5000)).toEqual([]);
    rated.offer('a', 2);
    clock.flush();
    expect(sent.filter((s) => s.rate === 5000)).toEqual([{ key: 'a', rate: 5000, value: 2, at: 0 }]);
    rated.acked('b', 5000, 'nobody', 1);
    expect(rated.size).toBe(2);
  });

  it('keeps nothing for a key or a rate nobody wants, and drops what it held once released', () => {
    rated.offer('b', 1);
    clock.flush();
    expect(sent).toEqual([]);
    rated.offer('a', 1);
    clock.flush();
    expect(rated.size).toBe(2);
    wanted.delete('a@60000');
    rated.release('a', 60000);
    rated.release('a', 5000);
    expect(rated.size).toBe(1);
    wanted.delete('a@5000');
    clock.advance(5000);
    expect(rated.size).toBe(0);
    rated.offer('a', 2);
    clock.advance(5000);
    expect(rated.size).toBe(0);
    expect(sent.filter((s) => s.value === 2)).toEqual([]);
  });

  it('keeps one cooldown per key and rate, however many keys change', () => {
    for (let i = 0; i < 100; i++) wanted.add(`k${i}@5000`);
    for (let i = 0; i < 100; i++) rated.offer(`k${i}`, i);
    clock.flush();
    expect(sent).toHaveLength(100);
    expect(clock.pendingTimers).toBe(100);
  });

  it('tells what a subscriber holds in a class (its ack, else the last value sent, unknown before any) and then owes it nothing', () => {
    expect(rated.heldBy('a', 5000, 's1')).toBeUndefined();
    rated.offer('a', 1);
    clock.flush();
    rated.acked('a', 5000, 's2', 7);
    expect(rated.heldBy('a', 5000, 's1')).toBe(1);
    expect(rated.heldBy('a', 5000, 's2')).toBe(7);
    // Forgotten: the class no longer owes s2 the value it holds.
    expect(rated.heldBy('a', 5000, 's2')).toBe(1);
    clock.advance(5000);
    sent = [];
    rated.offer('a', 1);
    clock.flush();
    expect(sent).toEqual([]);
  });
});

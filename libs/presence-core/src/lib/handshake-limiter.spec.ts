import { ManualClock } from '../testing/manual-clock';
import { HandshakeLimiter } from './handshake-limiter';

describe('HandshakeLimiter', () => {
  it('admits a burst per key, then the rate, each key on its own', () => {
    const clock = new ManualClock();
    const limiter = new HandshakeLimiter(20, 50, clock);
    const admitted = (key: string, n: number) => Array.from({ length: n }, () => limiter.take(key)).filter(Boolean).length;
    expect(admitted('a', 60)).toBe(50);
    expect(admitted('b', 50)).toBe(50);
    clock.advance(49);
    expect(limiter.take('a')).toBe(false);
    clock.advance(1);
    // 50 ms at 20 a second: one more.
    expect(admitted('a', 5)).toBe(1);
    clock.advance(1000);
    expect(admitted('a', 30)).toBe(20);
  });

  it('forgets keys whose bucket is full again, so memory follows recent handshakes only', () => {
    const clock = new ManualClock();
    const limiter = new HandshakeLimiter(20, 50, clock);
    for (let i = 0; i < 1024; i++) limiter.take(`old-${i}`);
    expect(limiter.keys).toBe(1024);
    // One handshake took one token: full again after 50 ms.
    clock.advance(50);
    limiter.take('new');
    expect(limiter.keys).toBe(1);
    // A forgotten key starts with a full burst, as it would have had.
    expect(Array.from({ length: 51 }, () => limiter.take('old-1')).filter(Boolean)).toHaveLength(50);
  });

  it('keeps the buckets of keys still over their budget through a sweep', () => {
    const clock = new ManualClock();
    const limiter = new HandshakeLimiter(1, 2, clock);
    for (let i = 0; i < 3; i++) limiter.take('flooder');
    for (let i = 0; i < 1023; i++) limiter.take(`other-${i}`);
    clock.advance(999);
    limiter.take('trigger');
    expect(limiter.take('flooder')).toBe(false);
  });

  it('limits nothing when the rate is 0', () => {
    const limiter = new HandshakeLimiter(0, 0, new ManualClock());
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBe(true);
    expect(limiter.keys).toBe(0);
  });
});

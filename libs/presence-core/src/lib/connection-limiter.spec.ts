import fc from 'fast-check';
import { ConnectionLimiter } from './connection-limiter';

describe('ConnectionLimiter', () => {
  it('admits up to max connections per key, each key on its own', () => {
    const limiter = new ConnectionLimiter(2);
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.allows('a')).toBe(false);
    expect(limiter.acquire('a')).toBe(false);
    expect(limiter.count('a')).toBe(2);
    expect(limiter.acquire('b')).toBe(true);
    limiter.release('a');
    expect(limiter.allows('a')).toBe(true);
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.acquire('a')).toBe(false);
  });

  it('forgets a key with no connections, and never goes negative', () => {
    const limiter = new ConnectionLimiter(3);
    limiter.acquire('a');
    limiter.release('a');
    limiter.release('a');
    limiter.release('never');
    expect(limiter.count('a')).toBe(0);
    expect(limiter.keys).toBe(0);
  });

  it('counts nothing when max is 0 (no limit)', () => {
    const limiter = new ConnectionLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.acquire('a')).toBe(true);
    expect(limiter.allows('a')).toBe(true);
    expect(limiter.keys).toBe(0);
  });

  it('agrees with a naive model under random acquires and releases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c')), { maxLength: 200 }), (max, steps) => {
        const limiter = new ConnectionLimiter(max);
        const model = new Map<string, number>();
        for (const [acquire, key] of steps) {
          const n = model.get(key) ?? 0;
          if (acquire) {
            expect(limiter.acquire(key)).toBe(n < max);
            if (n < max) model.set(key, n + 1);
          } else if (n > 0) {
            limiter.release(key);
            model.set(key, n - 1);
          }
          expect(limiter.count(key)).toBe(model.get(key) ?? 0);
        }
        expect(limiter.keys).toBe([...model.values()].filter((n) => n > 0).length);
        expect(limiter.total).toBe([...model.values()].reduce((sum, n) => sum + n, 0));
      }),
    );
  });
});

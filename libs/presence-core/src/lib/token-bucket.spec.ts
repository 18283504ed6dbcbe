import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refuses until tokens are refilled', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(1000, 2, 0);
    const taken = [0, 1, 2].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });

  it('admits exactly the rate over a long run', () => {
    const bucket = new TokenBucket(100, 200, 0);
    let admitted = 0;
    for (let t = 0; t <= 10_000; t += 1) {
      for (let i = 0; i < 5; i++) if (bucket.take(t)) admitted++;
    }
    // 200 at once, then 100 a second for 10 s.
    expect(admitted).toBe(200 + 1000);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(10, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
  });
});

describe('TokenBucket.full', () => {
  it('tells when the bucket holds its whole burst again', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect(bucket.full(0)).toBe(true);
    bucket.take(0);
    expect(bucket.full(99)).toBe(false);
    expect(bucket.full(100)).toBe(true);
  });
});

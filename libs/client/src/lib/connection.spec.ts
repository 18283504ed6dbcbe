import { backoff } from './connection';

describe('backoff', () => {
  it('doubles from the first delay up to the longest, with jitter of ±50 %', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoff(attempt, 500, 10_000, middle))).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    expect(backoff(0, 500, 10_000, () => 0)).toBe(250);
    expect(backoff(0, 500, 10_000, () => 0.999)).toBe(750);
    expect(backoff(100, 500, 10_000, () => 0.999)).toBe(10_000);
  });
});

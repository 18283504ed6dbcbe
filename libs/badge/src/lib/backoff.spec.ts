import { FIRST_RETRY_MS, MAX_RETRY_MS, reconnectDelay } from './backoff';

describe('reconnectDelay', () => {
  it('doubles from the first retry up to the cap', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((attempt) => reconnectDelay(attempt, middle))).toEqual([
      3000, 6000, 12000, 24000, 48000, 60000, 60000, 60000,
    ]);
  });

  it('spreads each delay by ±20 %', () => {
    expect(reconnectDelay(0, () => 0)).toBe(FIRST_RETRY_MS * 0.8);
    expect(reconnectDelay(0, () => 0.999999)).toBeCloseTo(FIRST_RETRY_MS * 1.2, -1);
    expect(reconnectDelay(99, () => 0)).toBe(MAX_RETRY_MS * 0.8);
  });
});

/** What the occupancy history specs (one process and a cluster) share: the answer's shape and how a well-formed one looks. */

export const MINUTE = 60_000;

export type Point = { t: number; peak: number; mean: number };
export type History = { page: string; interval: number; points: Point[] };

/** The start of the minute `at` falls in. */
export const minuteOf = (at: number) => at - (at % MINUTE);

/**
 * Checks the shape every answer has: points oldest first, one per minute at
 * most, between `from` and `to`; each `{ t, peak, mean }` with a peak, and a
 * mean within [0, peak] rounded to two decimals.
 */
export function expectWellFormed(history: History, page: string, from: number, to: number): void {
  expect(history).toEqual({ page, interval: MINUTE, points: expect.any(Array) });
  let previous = -Infinity;
  for (const point of history.points) {
    expect(Object.keys(point).sort()).toEqual(['mean', 'peak', 't']);
    expect(point.t % MINUTE).toBe(0);
    expect(point.t).toBeGreaterThan(previous);
    expect(point.t).toBeGreaterThanOrEqual(minuteOf(from));
    expect(point.t).toBeLessThanOrEqual(minuteOf(to));
    expect(point.peak).toBeGreaterThan(0);
    expect(Number.isFinite(point.mean)).toBe(true);
    expect(point.mean).toBeGreaterThanOrEqual(0);
    expect(point.mean).toBeLessThanOrEqual(point.peak);
    expect(Math.round(point.mean * 100) / 100).toBe(point.mean);
    previous = point.t;
  }
}

import { roundUp, sparkline } from './sparkline';

describe('roundUp', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 5],
    [7, 10],
    [11, 20],
    [42, 50],
    [51, 100],
    [1000, 1000],
  ])('%d → %d', (value, expected) => expect(roundUp(value)).toBe(expected));
});

describe('sparkline', () => {
  const frame = { end: 10_000, windowMs: 10_000, width: 110, height: 60, padding: 5 };

  it('has nothing to draw without samples', () => {
    expect(sparkline([], frame)).toEqual({ line: '', area: '', max: 1, last: null });
  });

  it('draws steps from left (window start) to right (end), 0 at the bottom and the round maximum at the top', () => {
    const geometry = sparkline(
      [
        { at: 0, value: 0 },
        { at: 5_000, value: 2 },
        { at: 10_000, value: 1 },
      ],
      frame,
    );
    expect(geometry.max).toBe(2);
    expect(geometry.line).toBe('M5 55 H55 V5 H105 V30');
    expect(geometry.area).toBe('M5 55 H55 V5 H105 V30 L105 55 L5 55 Z');
    expect(geometry.last).toEqual({ x: 105, y: 30 });
  });

  it('leaves out samples older than the window', () => {
    const geometry = sparkline(
      [
        { at: -1, value: 50 },
        { at: 10_000, value: 3 },
      ],
      frame,
    );
    expect(geometry.max).toBe(5);
    expect(geometry.line).toBe('M105 25');
  });
});

import { humanDuration, isoDuration, timeAgo } from './human-time';

const MIN = 60_000;

describe('human time', () => {
  it('says durations in whole minutes, hours and days', () => {
    expect(humanDuration(0)).toBe('under a minute');
    expect(humanDuration(59_999)).toBe('under a minute');
    expect(humanDuration(MIN)).toBe('1 min');
    expect(humanDuration(12 * MIN + 50_000)).toBe('12 min');
    expect(humanDuration(60 * MIN)).toBe('1 h');
    expect(humanDuration(65 * MIN)).toBe('1 h 5 min');
    expect(humanDuration(24 * 60 * MIN)).toBe('1 d');
    expect(humanDuration(50 * 60 * MIN)).toBe('2 d 2 h');
    expect(humanDuration(-5)).toBe('under a minute');
  });

  it('says how long ago, "just now" under a minute', () => {
    expect(timeAgo(30_000)).toBe('just now');
    expect(timeAgo(5 * MIN)).toBe('5 min ago');
    expect(timeAgo(-MIN)).toBe('just now');
  });

  it('gives ISO 8601 durations for <time datetime>', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(12 * MIN + 30_000)).toBe('PT12M30S');
    expect(isoDuration(65 * MIN)).toBe('PT1H5M');
    expect(isoDuration(26 * 60 * MIN + 1999)).toBe('PT26H1S');
  });
});

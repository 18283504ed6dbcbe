import { RECENT_MAX, type RecentLeaver } from '@presently/protocol';
import { leftSince, NOBODY_RECENT, recentOf, withLeaver, withoutLeaver } from './recent-state';

const leaver = (userId: string, leftAt: number, duration = 1000): RecentLeaver => ({ userId, name: userId, leftAt, duration });

describe('recent leavers as values', () => {
  it('takes the server list over as a frozen copy of the entries alone', () => {
    const list = recentOf([{ ...leaver('bob', 20), extra: true } as RecentLeaver, leaver('ada', 10)]);
    expect(list).toEqual([leaver('bob', 20), leaver('ada', 10)]);
    expect(Object.isFrozen(list)).toBe(true);
    expect(recentOf([])).toBe(NOBODY_RECENT);
  });

  it('adds a leaver in its place by time, once per user, at most RECENT_MAX', () => {
    const list = recentOf([leaver('bob', 30), leaver('ada', 10)]);
    expect(withLeaver(list, leaver('cy', 40)).map((l) => l.userId)).toEqual(['cy', 'bob', 'ada']);
    expect(withLeaver(list, leaver('cy', 20)).map((l) => l.userId)).toEqual(['bob', 'cy', 'ada']);
    expect(withLeaver(list, leaver('ada', 50))).toEqual([leaver('ada', 50), leaver('bob', 30)]);
    expect(list).toEqual([leaver('bob', 30), leaver('ada', 10)]);
    const full = recentOf(Array.from({ length: RECENT_MAX }, (_, i) => leaver(`u${i}`, 1000 - i)));
    const next = withLeaver(full, leaver('new', 2000));
    expect(next).toHaveLength(RECENT_MAX);
    expect(next[0].userId).toBe('new');
    expect(next.at(-1)!.userId).toBe(`u${RECENT_MAX - 2}`);
  });

  it('removes who is back, and keeps only the window; the same array when nothing changed', () => {
    const list = recentOf([leaver('bob', 30), leaver('ada', 10)]);
    expect(withoutLeaver(list, 'bob')).toEqual([leaver('ada', 10)]);
    expect(withoutLeaver(list, 'cy')).toBe(list);
    expect(leftSince(list, 5)).toBe(list);
    expect(leftSince(list, 10)).toEqual([leaver('bob', 30)]);
    expect(leftSince(list, 30)).toBe(NOBODY_RECENT);
  });
});

import type { Stats } from '@presently/protocol';
import { sameStats } from './stats';

describe('sameStats', () => {
  const stats: Stats = {
    online: { connections: 3, visitors: 2 },
    top: [
      { page: '/a', viewers: 2 },
      { page: '/b', viewers: 1 },
    ],
  };
  const copy = (): Stats => JSON.parse(JSON.stringify(stats));

  it('holds equal figures the same, whatever the objects', () => {
    expect(sameStats(stats, copy())).toBe(true);
  });

  it('tells apart online counts, top pages, their viewers, their order and their number', () => {
    const changes: Array<(s: Stats) => void> = [
      (s) => (s.online.connections = 4),
      (s) => (s.online.visitors = 1),
      (s) => (s.top[1].viewers = 2),
      (s) => (s.top[1].page = '/c'),
      (s) => s.top.reverse(),
      (s) => s.top.pop(),
    ];
    for (const change of changes) {
      const other = copy();
      change(other);
      expect(sameStats(stats, other)).toBe(false);
      expect(sameStats(other, stats)).toBe(false);
    }
  });
});

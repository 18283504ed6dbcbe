import { samePageCounts } from './pages';

describe('samePageCounts', () => {
  it('compares viewers, connections and active clients, not the page', () => {
    expect(samePageCounts({ viewers: 1, connections: 2, active: 1 }, { viewers: 1, connections: 2, active: 1 })).toBe(true);
    const counts = { page: '/a', viewers: 1, connections: 2, active: 0 };
    const elsewhere = { ...counts, page: '/b' };
    expect(samePageCounts(counts, elsewhere)).toBe(true);
    expect(samePageCounts({ viewers: 1, connections: 2, active: 1 }, { viewers: 2, connections: 2, active: 1 })).toBe(false);
    expect(samePageCounts({ viewers: 1, connections: 2, active: 1 }, { viewers: 1, connections: 3, active: 1 })).toBe(false);
    expect(samePageCounts({ viewers: 1, connections: 2, active: 1 }, { viewers: 1, connections: 2, active: 0 })).toBe(false);
  });
});

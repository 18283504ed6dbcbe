import { samePageCounts } from './pages';

describe('samePageCounts', () => {
  it('compares viewers and connections, not the page', () => {
    expect(samePageCounts({ viewers: 1, connections: 2 }, { viewers: 1, connections: 2 })).toBe(true);
    const counts = { page: '/a', viewers: 1, connections: 2 };
    const elsewhere = { ...counts, page: '/b' };
    expect(samePageCounts(counts, elsewhere)).toBe(true);
    expect(samePageCounts({ viewers: 1, connections: 2 }, { viewers: 2, connections: 2 })).toBe(false);
    expect(samePageCounts({ viewers: 1, connections: 2 }, { viewers: 1, connections: 3 })).toBe(false);
  });
});

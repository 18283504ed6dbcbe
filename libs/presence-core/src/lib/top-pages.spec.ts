import BTree from 'sorted-btree';
import { TopPagesIndex } from './top-pages';

describe('TopPagesIndex', () => {
  it('is empty at first', () => {
    const index = new TopPagesIndex();
    expect(index.size).toBe(0);
    expect(index.top(10)).toEqual([]);
  });

  it('orders pages by viewers descending, ties by key ascending', () => {
    const index = new TopPagesIndex();
    index.update('/b', 0, 2);
    index.update('/c', 0, 5);
    index.update('/a', 0, 2);
    index.update('/d', 0, 1);
    expect(index.top(10)).toEqual([
      { page: '/c', viewers: 5 },
      { page: '/a', viewers: 2 },
      { page: '/b', viewers: 2 },
      { page: '/d', viewers: 1 },
    ]);
    expect(index.size).toBe(4);
  });

  it('compares keys by code unit, not by locale', () => {
    const index = new TopPagesIndex();
    index.update('/b', 0, 1);
    index.update('/B', 0, 1);
    index.update('/a', 0, 1);
    // 'B' (0x42) sorts before 'a' (0x61) and 'b' (0x62).
    expect(index.top(10).map((t) => t.page)).toEqual(['/B', '/a', '/b']);
  });

  it('moves a page when its viewers change', () => {
    const index = new TopPagesIndex();
    index.update('/a', 0, 3);
    index.update('/b', 0, 2);
    index.update('/b', 2, 4);
    expect(index.top(10)).toEqual([
      { page: '/b', viewers: 4 },
      { page: '/a', viewers: 3 },
    ]);
    index.update('/b', 4, 1);
    expect(index.top(10)).toEqual([
      { page: '/a', viewers: 3 },
      { page: '/b', viewers: 1 },
    ]);
    expect(index.size).toBe(2);
  });

  it('drops a page that falls to 0 viewers', () => {
    const index = new TopPagesIndex();
    index.update('/a', 0, 1);
    index.update('/b', 0, 2);
    index.update('/a', 1, 0);
    expect(index.top(10)).toEqual([{ page: '/b', viewers: 2 }]);
    expect(index.size).toBe(1);
    index.update('/b', 2, 0);
    expect(index.top(10)).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('ignores an update that does not move the page', () => {
    const index = new TopPagesIndex();
    index.update('/a', 0, 0);
    expect(index.size).toBe(0);
    index.update('/a', 0, 2);
    index.update('/a', 2, 2);
    expect(index.top(10)).toEqual([{ page: '/a', viewers: 2 }]);
    expect(index.size).toBe(1);
  });

  it('returns at most `limit` pages, the highest first', () => {
    const index = new TopPagesIndex();
    for (let i = 1; i <= 15; i++) index.update(`/p${String(i).padStart(2, '0')}`, 0, i);
    const top = index.top(10);
    expect(top).toHaveLength(10);
    expect(top[0]).toEqual({ page: '/p15', viewers: 15 });
    expect(top[9]).toEqual({ page: '/p06', viewers: 6 });
    expect(index.top(3).map((t) => t.viewers)).toEqual([15, 14, 13]);
    expect(index.top(0)).toEqual([]);
    expect(index.size).toBe(15);
  });

  it('agrees with a full sort after many random moves', () => {
    const index = new TopPagesIndex();
    const viewers = new Map<string, number>();
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 2000; step++) {
      const page = `/page-${rand(30)}`;
      const before = viewers.get(page) ?? 0;
      const after = Math.max(0, before + rand(5) - 2);
      index.update(page, before, after);
      if (after > 0) viewers.set(page, after);
      else viewers.delete(page);
    }
    const expected = [...viewers.entries()]
      .map(([page, v]) => ({ page, viewers: v }))
      .sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0));
    expect(index.top(1000)).toEqual(expected);
    expect(index.top(10)).toEqual(expected.slice(0, 10));
    expect(index.size).toBe(viewers.size);
  });

  describe('moves noted until a read', () => {
    afterEach(() => jest.restoreAllMocks());

    it('touches no tree on a move, and once per moved page on the next read', () => {
      const set = jest.spyOn(BTree.prototype, 'set');
      const del = jest.spyOn(BTree.prototype, 'delete');
      const index = new TopPagesIndex();
      for (let v = 0; v < 100; v++) index.update('/a', v, v + 1);
      index.update('/b', 0, 1);
      expect(set).not.toHaveBeenCalled();
      expect(del).not.toHaveBeenCalled();
      expect(index.top(10)).toEqual([
        { page: '/a', viewers: 100 },
        { page: '/b', viewers: 1 },
      ]);
      expect(set).toHaveBeenCalledTimes(2);
      expect(del).not.toHaveBeenCalled();
      // Read again with nothing moved: nothing to apply.
      expect(index.top(10)).toHaveLength(2);
      expect(set).toHaveBeenCalledTimes(2);
      index.update('/a', 100, 99);
      index.update('/a', 99, 98);
      expect(index.top(1)).toEqual([{ page: '/a', viewers: 98 }]);
      expect(del).toHaveBeenCalledTimes(1);
      expect(set).toHaveBeenCalledTimes(3);
    });

    it('costs nothing for a page that moved back to where the index holds it', () => {
      const index = new TopPagesIndex();
      index.update('/a', 0, 2);
      expect(index.top(10)).toEqual([{ page: '/a', viewers: 2 }]);
      const set = jest.spyOn(BTree.prototype, 'set');
      const del = jest.spyOn(BTree.prototype, 'delete');
      index.update('/a', 2, 3);
      index.update('/a', 3, 0);
      index.update('/a', 0, 2);
      index.update('/b', 0, 1);
      index.update('/b', 1, 0);
      expect(index.top(10)).toEqual([{ page: '/a', viewers: 2 }]);
      expect(set).not.toHaveBeenCalled();
      expect(del).not.toHaveBeenCalled();
    });

    it('keeps size exact between reads', () => {
      const index = new TopPagesIndex();
      index.update('/a', 0, 1);
      index.update('/b', 0, 3);
      expect(index.size).toBe(2);
      index.top(10);
      index.update('/a', 1, 0);
      expect(index.size).toBe(1);
      index.update('/c', 0, 1);
      index.update('/b', 3, 2);
      expect(index.size).toBe(2);
      index.update('/b', 2, 0);
      index.update('/c', 1, 0);
      expect(index.size).toBe(0);
      expect(index.top(10)).toEqual([]);
      expect(index.size).toBe(0);
    });

    it('keeps its notes bounded when nobody reads, and stays exact', () => {
      const index = new TopPagesIndex();
      /** White-box: the moves noted and not applied yet. */
      const notes = () => (index as unknown as { from: Map<string, number> }).from.size;
      index.update('/stays', 0, 3);
      let most = 0;
      for (let i = 0; i < 50_000; i++) {
        index.update(`/p${i}`, 0, 1);
        index.update(`/p${i}`, 1, 0);
        most = Math.max(most, notes());
      }
      // Twice the pages with viewers and the pages in the tree (at most 2 each here), the slack, the page being noted.
      expect(most).toBeLessThanOrEqual(2 * (2 + 2) + 1024 + 1);
      expect(index.size).toBe(1);
      index.update('/p7', 0, 2);
      index.update('/p9', 0, 5);
      expect(index.top(10)).toEqual([
        { page: '/p9', viewers: 5 },
        { page: '/stays', viewers: 3 },
        { page: '/p7', viewers: 2 },
      ]);
      expect(index.size).toBe(3);
      expect(notes()).toBe(0);
    });

    it('agrees with a full sort at every read, with reads at random between moves', () => {
      const index = new TopPagesIndex();
      const viewers = new Map<string, number>();
      let seed = 777;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const expected = (limit: number) =>
        [...viewers.entries()]
          .map(([page, v]) => ({ page, viewers: v }))
          .sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0))
          .slice(0, limit);
      for (let step = 0; step < 5000; step++) {
        const page = `/page-${rand(40)}`;
        const before = viewers.get(page) ?? 0;
        const after = Math.max(0, before + rand(5) - 2);
        index.update(page, before, after);
        if (after > 0) viewers.set(page, after);
        else viewers.delete(page);
        expect(index.size).toBe(viewers.size);
        if (rand(20) === 0) expect(index.top(10)).toEqual(expected(10));
      }
      expect(index.top(1000)).toEqual(expected(1000));
    });
  });
});

import BTree from 'sorted-btree';
import type { TopPage } from '@presently/protocol';

type Entry = [viewers: number, page: string];

const byViewersThenKey = (a: Entry, b: Entry): number =>
  b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/**
 * Pages ordered by viewers (descending, ties by key ascending), kept up to
 * date in O(log pages) per change so the top pages are read without sorting.
 * Pages with no viewers are not in the index.
 */
export class TopPagesIndex {
  private readonly tree = new BTree<Entry, undefined>(undefined, byViewersThenKey);

  /** Moves `page` from `before` to `after` viewers. */
  update(page: string, before: number, after: number): void {
    if (before === after) return;
    if (before > 0) this.tree.delete([before, page]);
    if (after > 0) this.tree.set([after, page], undefined);
  }

  top(limit: number): TopPage[] {
    const top: TopPage[] = [];
    for (const [viewers, page] of this.tree.keys()) {
      if (top.length >= limit) break;
      top.push({ page, viewers });
    }
    return top;
  }

  get size(): number {
    return this.tree.size;
  }
}

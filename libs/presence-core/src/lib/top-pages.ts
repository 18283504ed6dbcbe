import BTree from 'sorted-btree';
import type { TopPage } from '@presently/protocol';

type Entry = [viewers: number, page: string];

/** Notes kept beyond twice the pages with viewers before they are applied anyway. */
const NOTES_SLACK = 1024;

const byViewersThenKey = (a: Entry, b: Entry): number =>
  b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/**
 * Pages ordered by viewers (descending, ties by key ascending), for reading
 * the top pages without sorting. Pages with no viewers are not in it.
 *
 * A move costs O(1): `update` only notes it, so viewers may change on every
 * enter and leave while nobody reads. `top` first applies the moves noted
 * since the last read, O(log pages) per page whose viewers differ from the
 * ones the index holds, however often it moved. `size` is exact on every
 * move. So that the notes stay bounded when nobody reads for long, they are
 * applied once they outnumber twice the pages with viewers (amortized O(1)
 * per move, plus O(log pages) per page that really moved).
 */
export class TopPagesIndex {
  private readonly tree = new BTree<Entry, undefined>(undefined, byViewersThenKey);
  /** Pages moved since the last read → the viewers the tree holds them at. */
  private readonly from = new Map<string, number>();
  /** Pages moved since the last read → their viewers now. */
  private readonly to = new Map<string, number>();
  private pages = 0;

  /** Moves `page` from `before` to `after` viewers. O(1). */
  update(page: string, before: number, after: number): void {
    if (before === after) return;
    this.pages += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    if (!this.from.has(page)) {
      if (this.from.size > 2 * (this.pages + this.tree.size) + NOTES_SLACK) this.catchUp();
      this.from.set(page, before);
    }
    this.to.set(page, after);
  }

  /** The first `limit` pages. */
  top(limit: number): TopPage[] {
    this.catchUp();
    const top: TopPage[] = [];
    for (const [viewers, page] of this.tree.keys()) {
      if (top.length >= limit) break;
      top.push({ page, viewers });
    }
    return top;
  }

  /** Pages with viewers. O(1). */
  get size(): number {
    return this.pages;
  }

  /** Applies the moves noted since the last read. */
  private catchUp(): void {
    for (const [page, before] of this.from) {
      const after = this.to.get(page) ?? 0;
      if (before === after) continue;
      if (before > 0) this.tree.delete([before, page]);
      if (after > 0) this.tree.set([after, page], undefined);
    }
    this.from.clear();
    this.to.clear();
  }
}

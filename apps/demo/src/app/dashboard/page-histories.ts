import { Injectable, signal } from '@angular/core';
import type { HistoryPoint, PageHistory } from '@presently/protocol';

/** How often a shown page's history is read again while its viewers do not move. */
export const HISTORY_REFRESH_MS = 30_000;

/**
 * The last hour of the pages the dashboard shows, read from
 * `GET /api/pages/history` (same origin): once when a page is shown, again
 * when its viewers move (its current minute's peak may have), and every
 * `HISTORY_REFRESH_MS`. A read that fails keeps what was shown.
 */
@Injectable({ providedIn: 'root' })
export class PageHistories {
  private readonly state = signal<ReadonlyMap<string, readonly HistoryPoint[]>>(new Map());
  readonly points = this.state.asReadonly();
  private readonly inFlight = new Set<string>();
  private readonly again = new Set<string>();

  /** Reads `page`'s history (once at a time; a request meanwhile reads again after it). */
  refresh(page: string): void {
    if (this.inFlight.has(page)) {
      this.again.add(page);
      return;
    }
    this.inFlight.add(page);
    fetch(`/api/pages/history?page=${encodeURIComponent(page)}`)
      .then((response) => (response.ok ? (response.json() as Promise<PageHistory>) : null))
      .then((history) => {
        if (history) this.state.update((all) => new Map(all).set(page, history.points));
      })
      .catch(() => undefined)
      .finally(() => {
        this.inFlight.delete(page);
        if (this.again.delete(page)) this.refresh(page);
      });
  }

  /** Forgets the pages no longer shown. */
  keepOnly(pages: ReadonlySet<string>): void {
    if ([...this.state().keys()].every((page) => pages.has(page))) return;
    this.state.update((all) => new Map([...all].filter(([page]) => pages.has(page))));
  }
}

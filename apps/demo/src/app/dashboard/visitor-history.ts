import { Injectable, signal } from '@angular/core';
import type { Sample } from './sparkline';

/** How far back the dashboard's sparkline looks. */
export const HISTORY_WINDOW_MS = 10 * 60_000;

/**
 * Online visitors over the last ten minutes, as sampled by this tab while
 * the dashboard was shown. Kept for the tab's lifetime, so leaving the
 * dashboard and coming back keeps the line (with a gap where no one looked).
 */
@Injectable({ providedIn: 'root' })
export class VisitorHistory {
  private readonly state = signal<readonly Sample[]>([]);
  readonly samples = this.state.asReadonly();

  record(value: number, at = Date.now()): void {
    this.state.update((samples) => [...samples.filter((sample) => sample.at > at - HISTORY_WINDOW_MS), { at, value }]);
  }
}

import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { PoliteAnnouncerComponent, PresenceService } from '@presently/angular';
import { visitorsOnline } from '../shell/spoken-figures';
import { pageLabel } from './page-label';
import { SparklineComponent } from './sparkline.component';
import { HISTORY_WINDOW_MS, VisitorHistory } from './visitor-history';

/** How often the sparkline takes a reading while nothing changes. */
export const SAMPLE_EVERY_MS = 5_000;

/**
 * Site-wide figures, live: connections and distinct visitors online, the
 * pages with the most readers, and online visitors over the last ten
 * minutes (sampled in this tab while the dashboard is shown).
 */
@Component({
  selector: 'app-dashboard-page',
  imports: [RouterLink, SparklineComponent, PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  private readonly stats = inject(PresenceService).stats();
  private readonly history = inject(VisitorHistory);

  readonly windowMs = HISTORY_WINDOW_MS;
  readonly samples = this.history.samples;
  readonly connections = computed(() => this.stats()?.online.connections ?? null);
  readonly visitors = computed(() => this.stats()?.online.visitors ?? null);
  /** What screen readers hear of the figure (politely, at most every 10 s). */
  readonly spokenVisitors = computed(() => visitorsOnline(this.visitors()));
  readonly top = computed(() => {
    const top = this.stats()?.top ?? [];
    const most = Math.max(1, ...top.map((entry) => entry.viewers));
    return top.map((entry) => ({
      ...entry,
      label: pageLabel(entry.page),
      link: entry.page.startsWith('/') ? entry.page : null,
      share: Math.round((entry.viewers / most) * 100),
    }));
  });

  constructor() {
    // A reading at every change, and a steady one so the line moves on while nothing changes.
    effect(() => {
      const visitors = this.visitors();
      if (visitors !== null) untracked(() => this.history.record(visitors));
    });
    const timer = setInterval(() => {
      const visitors = this.visitors();
      if (visitors !== null) this.history.record(visitors);
    }, SAMPLE_EVERY_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }
}

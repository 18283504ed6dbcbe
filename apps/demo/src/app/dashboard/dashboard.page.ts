import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { PoliteAnnouncerComponent, PresenceService } from '@presently/angular';
import { visitorsOnline } from '../shell/spoken-figures';
import { pageLabel } from './page-label';
import { HourChartComponent } from './hour-chart.component';
import { HISTORY_REFRESH_MS, PageHistories } from './page-histories';
import { SparklineComponent } from './sparkline.component';
import { HISTORY_WINDOW_MS, VisitorHistory } from './visitor-history';

/** How often the sparkline takes a reading while nothing changes. */
export const SAMPLE_EVERY_MS = 5_000;

/**
 * Site-wide figures, live: connections and distinct visitors online, the
 * pages with the most readers (each with its last hour, from the server's
 * occupancy history), and online visitors over the last ten minutes
 * (sampled in this tab while the dashboard is shown).
 */
@Component({
  selector: 'app-dashboard-page',
  imports: [RouterLink, SparklineComponent, HourChartComponent, PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  private readonly stats = inject(PresenceService).stats();
  private readonly history = inject(VisitorHistory);
  private readonly pageHistories = inject(PageHistories);
  /** The viewers each top page had when its history was last read. */
  private readonly historyRead = new Map<string, number>();

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
      hour: this.pageHistories.points().get(entry.page) ?? null,
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
    // Each top page's last hour: read when it shows up and when its viewers move (its current minute may peak).
    effect(() => {
      const top = this.stats()?.top ?? [];
      untracked(() => {
        for (const { page, viewers } of top) {
          if (this.historyRead.get(page) === viewers) continue;
          this.historyRead.set(page, viewers);
          this.pageHistories.refresh(page);
        }
        const shown = new Set(top.map((entry) => entry.page));
        for (const page of this.historyRead.keys()) if (!shown.has(page)) this.historyRead.delete(page);
        this.pageHistories.keepOnly(shown);
      });
    });
    const historyTimer = setInterval(() => {
      for (const page of this.historyRead.keys()) this.pageHistories.refresh(page);
    }, HISTORY_REFRESH_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
      clearInterval(historyTimer);
    });
  }
}

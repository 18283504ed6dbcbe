import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { HistoryPoint } from '@presently/protocol';
import { hourChart } from './hour-chart';

const WIDTH = 120;
const HEIGHT = 28;

/**
 * A page's last hour, a minute per column (its peak) with its mean as a
 * line, and the hour's peak written beside it. The image says it in words
 * (`role="img"`, its label).
 */
@Component({
  selector: 'app-hour-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'hour-chart' },
  template: `
    <svg
      [attr.viewBox]="'0 0 ' + width + ' ' + height"
      [attr.width]="width"
      [attr.height]="height"
      role="img"
      [attr.aria-label]="label()"
      data-testid="hour-chart"
    >
      <line class="hour-chart__base" x1="0" [attr.x2]="width" [attr.y1]="height - 0.5" [attr.y2]="height - 0.5" />
      @if (chart().peaks) {
        <path class="hour-chart__peaks" [attr.d]="chart().peaks" />
        <path class="hour-chart__means" [attr.d]="chart().means" />
      }
    </svg>
    <span class="hour-chart__peak" data-testid="hour-peak" [attr.data-value]="loaded() ? chart().peak : null" aria-hidden="true">
      {{ loaded() ? 'peak ' + chart().peak : '…' }}
    </span>
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: var(--space-2);
    }
    svg {
      display: block;
    }
    .hour-chart__base {
      stroke: var(--border);
    }
    .hour-chart__peaks {
      fill: var(--accent-soft);
      stroke: none;
    }
    .hour-chart__means {
      fill: none;
      stroke: var(--accent);
      stroke-width: 1.5;
      stroke-linejoin: round;
    }
    .hour-chart__peak {
      color: var(--muted);
      font-size: 0.8rem;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
      min-width: 4.5rem;
    }
  `,
})
export class HourChartComponent {
  /** The page's points (`GET /api/pages/history`); null until read. */
  readonly points = input.required<readonly HistoryPoint[] | null>();
  /** What the page is called, for the image's label. */
  readonly what = input.required<string>();

  readonly width = WIDTH;
  readonly height = HEIGHT;
  readonly loaded = computed(() => this.points() !== null);
  readonly chart = computed(() => hourChart(this.points() ?? [], Date.now(), WIDTH, HEIGHT));
  readonly label = computed(() => {
    if (!this.loaded()) return `${this.what()}: last hour loading`;
    const peak = this.chart().peak;
    return peak === 0 ? `${this.what()}: no readers in the last hour` : `${this.what()}: peak of ${peak} ${peak === 1 ? 'reader' : 'readers'} in the last hour`;
  });
}

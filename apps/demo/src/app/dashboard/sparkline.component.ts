import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { type Sample, sparkline } from './sparkline';

const WIDTH = 320;
const HEIGHT = 96;
/** The shortest span shown, so the first readings of a session do not fill the chart edge to edge. */
const MIN_SPAN_MS = 60_000;

/**
 * A small inline-SVG step chart of samples over a time window ending at the
 * newest one: the samples' own span (at least a minute) until they cover
 * `windowMs`, then `windowMs`.
 */
@Component({
  selector: 'app-sparkline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'sparkline' },
  template: `
    <svg
      [attr.viewBox]="'0 0 ' + width + ' ' + height"
      role="img"
      [attr.aria-label]="label()"
      data-testid="sparkline"
      [attr.data-samples]="samples().length"
    >
      <line class="sparkline__grid" x1="0" [attr.x2]="width" [attr.y1]="padding" [attr.y2]="padding" />
      <line class="sparkline__grid" x1="0" [attr.x2]="width" [attr.y1]="height - padding" [attr.y2]="height - padding" />
      @if (geometry().line) {
        <path class="sparkline__area" [attr.d]="geometry().area" />
        <path class="sparkline__line" [attr.d]="geometry().line" />
      }
      @if (geometry().last; as last) {
        <circle class="sparkline__dot" [attr.cx]="last.x" [attr.cy]="last.y" r="3.5" />
      }
    </svg>
    <div class="sparkline__axis" aria-hidden="true">
      <span>{{ minutes() }} min ago</span>
      <span>top: {{ geometry().max }}</span>
      <span>now</span>
    </div>
  `,
  styles: `
    :host {
      display: block;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
      overflow: visible;
    }
    .sparkline__grid {
      stroke: var(--border);
      stroke-dasharray: 3 4;
    }
    .sparkline__area {
      fill: var(--accent-soft);
    }
    .sparkline__line {
      fill: none;
      stroke: var(--accent);
      stroke-width: 2.5;
      stroke-linejoin: round;
      stroke-linecap: round;
    }
    .sparkline__dot {
      fill: var(--accent);
      stroke: var(--surface);
      stroke-width: 2;
    }
    .sparkline__axis {
      display: flex;
      justify-content: space-between;
      margin-top: var(--space-1);
      color: var(--muted);
      font-size: 0.75rem;
    }
  `,
})
export class SparklineComponent {
  readonly samples = input.required<readonly Sample[]>();
  /** The longest span shown. */
  readonly windowMs = input.required<number>();
  /** What the samples measure, for the chart's accessible name. */
  readonly what = input('value');

  readonly width = WIDTH;
  readonly height = HEIGHT;
  readonly padding = 6;
  private readonly end = computed(() => {
    const samples = this.samples();
    return samples.length ? samples[samples.length - 1].at : 0;
  });
  private readonly span = computed(() => {
    const samples = this.samples();
    const covered = samples.length ? this.end() - samples[0].at : 0;
    return Math.min(this.windowMs(), Math.max(MIN_SPAN_MS, covered));
  });
  readonly minutes = computed(() => Math.max(1, Math.round(this.span() / 60_000)));

  readonly geometry = computed(() =>
    sparkline(this.samples(), { end: this.end(), windowMs: this.span(), width: WIDTH, height: HEIGHT, padding: this.padding }),
  );

  readonly label = computed(() => {
    const values = this.samples().map((sample) => sample.value);
    const minutes = this.minutes();
    const over = `${this.what()} over the last ${minutes === 1 ? 'minute' : `${minutes} minutes`}`;
    if (!values.length) return `${over}: no data yet`;
    return `${over}: between ${Math.min(...values)} and ${Math.max(...values)}, now ${values[values.length - 1]}`;
  });
}

import { HISTORY_INTERVAL_MS, HISTORY_POINTS, type HistoryPoint } from '@presently/protocol';

export interface HourChartGeometry {
  /** One column per minute with viewers, as high as its peak (an SVG path). */
  peaks: string;
  /** The minutes' means, 0 where a minute had no viewers (an SVG path); empty without any point. */
  means: string;
  /** The most viewers in the hour (0 without any point). */
  peak: number;
}

const fixed = (n: number) => Math.round(n * 10) / 10;

/**
 * Where a page's last hour (`GET /api/pages/history`) falls in a
 * `width` × `height` box: the current minute (the newest point's, or the one
 * `now` falls in, whichever is later) at the right, 60 minutes in all,
 * viewers from 0 at the bottom to the hour's peak at the top.
 */
export function hourChart(points: readonly HistoryPoint[], now: number, width: number, height: number): HourChartGeometry {
  const current = Math.max(now - (now % HISTORY_INTERVAL_MS), points.at(-1)?.t ?? 0);
  const first = current - (HISTORY_POINTS - 1) * HISTORY_INTERVAL_MS;
  const visible = points.filter((p) => p.t >= first && p.t <= current);
  const peak = Math.max(0, ...visible.map((p) => p.peak));
  if (visible.length === 0) return { peaks: '', means: '', peak };
  const column = width / HISTORY_POINTS;
  const x = (t: number) => ((t - first) / HISTORY_INTERVAL_MS) * column;
  const y = (v: number) => fixed(height - (height * v) / peak);
  const peaks = visible.map((p) => `M${fixed(x(p.t))} ${height}V${y(p.peak)}h${fixed(column)}V${height}Z`).join('');
  const means = new Array<number>(HISTORY_POINTS).fill(0);
  for (const p of visible) means[Math.round((p.t - first) / HISTORY_INTERVAL_MS)] = p.mean;
  const line = means.map((v, i) => `${i ? 'L' : 'M'}${fixed(i * column + column / 2)} ${y(v)}`).join('');
  return { peaks, means: line, peak };
}

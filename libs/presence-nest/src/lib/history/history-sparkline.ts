import { HISTORY_INTERVAL_MS, HISTORY_POINTS, type HistoryPoint } from '@presently/protocol';

/** The sparkline's fixed size, in CSS pixels. */
export const SPARKLINE_WIDTH = 230;
export const SPARKLINE_HEIGHT = 40;

const CHART_WIDTH = 130;
const PAD = 4;
/** Dark grey text and a blue line on white: 15:1 and 5:1 contrast. */
const TEXT = '#1f2328';
const LINE = '#0969da';
const FRAME = '#d0d7de';
const FONT = 'Verdana,Geneva,DejaVu Sans,sans-serif';

/** Text safe inside an SVG element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What the image says in words: the page, the peak of the hour and the viewers now. */
export function sparklineTitle(page: string, peak: number, viewers: number): string {
  const now = `${viewers} ${viewers === 1 ? 'viewer' : 'viewers'} now`;
  return peak === 0 ? `${page}: no viewers in the last hour, ${now}` : `${page}: peak of ${peak} ${peak === 1 ? 'viewer' : 'viewers'} in the last hour, ${now}`;
}

/**
 * A page's last hour as an SVG sparkline, like a shields.io badge: a fixed
 * size, `role="img"` with a `<title>` (and `aria-label`) that says the page,
 * the hour's peak and the viewers now, the figures also written beside the
 * line, every text escaped, no script and nothing loaded.
 *
 * The line is each minute's mean viewers (0 for a minute without any), the
 * shaded band behind it each minute's peak; the current minute is at the
 * right. `minute` is the start of the current minute.
 */
export function historySparkline(page: string, points: readonly HistoryPoint[], viewers: number, minute: number): string {
  const current = Math.max(minute, points.at(-1)?.t ?? minute);
  const first = current - (HISTORY_POINTS - 1) * HISTORY_INTERVAL_MS;
  const means = new Array<number>(HISTORY_POINTS).fill(0);
  const peaks = new Array<number>(HISTORY_POINTS).fill(0);
  for (const point of points) {
    const i = Math.round((point.t - first) / HISTORY_INTERVAL_MS);
    if (i < 0 || i >= HISTORY_POINTS) continue;
    means[i] = point.mean;
    peaks[i] = point.peak;
  }
  const peak = Math.max(0, ...peaks);
  const scale = Math.max(1, peak, viewers);
  const x = (i: number) => round(PAD + (i * (CHART_WIDTH - 2 * PAD)) / (HISTORY_POINTS - 1));
  const y = (v: number) => round(SPARKLINE_HEIGHT - PAD - (v * (SPARKLINE_HEIGHT - 2 * PAD)) / scale);
  const base = y(0);
  const line = means.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i)} ${y(v)}`).join('');
  const band = `M${x(0)} ${base}${peaks.map((v, i) => `L${x(i)} ${y(v)}`).join('')}L${x(HISTORY_POINTS - 1)} ${base}Z`;
  const title = escapeXml(sparklineTitle(page, peak, viewers));
  const textX = CHART_WIDTH + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SPARKLINE_WIDTH}" height="${SPARKLINE_HEIGHT}" viewBox="0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<rect x="0.5" y="0.5" width="${SPARKLINE_WIDTH - 1}" height="${SPARKLINE_HEIGHT - 1}" rx="3" fill="#fff" stroke="${FRAME}"/>`,
    `<path d="${band}" fill="${LINE}" fill-opacity="0.15"/>`,
    `<path d="${line}" fill="none" stroke="${LINE}" stroke-width="1.5" stroke-linejoin="round"/>`,
    `<g fill="${TEXT}" font-family="${FONT}" font-size="11" aria-hidden="true">`,
    `<text x="${textX}" y="17">now <tspan font-weight="bold">${viewers}</tspan></text>`,
    `<text x="${textX}" y="31">peak <tspan font-weight="bold">${peak}</tspan></text>`,
    `</g>`,
    `</svg>`,
  ].join('');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

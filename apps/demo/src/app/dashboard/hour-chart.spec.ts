import { hourChart } from './hour-chart';

const MINUTE = 60_000;
const NOW = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE) + 30_000;
const CURRENT = NOW - 30_000;

describe('a page’s last hour as a chart', () => {
  it('has nothing to draw without points', () => {
    expect(hourChart([], NOW, 120, 24)).toEqual({ peaks: '', means: '', peak: 0 });
  });

  it('puts the current minute at the right, scales to the hour’s peak, and a column per minute with viewers', () => {
    const chart = hourChart(
      [
        { t: CURRENT - 59 * MINUTE, peak: 2, mean: 1 },
        { t: CURRENT, peak: 4, mean: 3 },
      ],
      NOW,
      120,
      24,
    );
    expect(chart.peak).toBe(4);
    // The oldest minute at the left edge, half as high as the peak; the current one at the right, full height.
    expect(chart.peaks).toBe('M0 24V12h2V24ZM118 24V0h2V24Z');
    expect(chart.means.startsWith('M1 18L3 24')).toBe(true);
    expect(chart.means.endsWith('L119 6')).toBe(true);
  });

  it('leaves out minutes older than the hour', () => {
    const chart = hourChart([{ t: CURRENT - 60 * MINUTE, peak: 9, mean: 9 }, { t: CURRENT, peak: 1, mean: 1 }], NOW, 120, 24);
    expect(chart.peak).toBe(1);
  });
});

/** One reading of a figure. */
export interface Sample {
  /** Epoch milliseconds. */
  at: number;
  value: number;
}

export interface SparklineFrame {
  /** The time at the right edge (epoch milliseconds). */
  end: number;
  windowMs: number;
  width: number;
  height: number;
  /** Room left around the line so a stroke at 0 or at the top is not cut. */
  padding: number;
}

export interface SparklineGeometry {
  /** An SVG path through the samples in the window; empty when there are none. */
  line: string;
  /** The same path closed down to the baseline, for a fill. */
  area: string;
  /** The value at the top of the chart: a round number at least as large as every sample. */
  max: number;
  /** The newest sample's position, for a dot. */
  last: { x: number; y: number } | null;
}

/** 1, 2, 5, 10, 20, 50...: the smallest of these at least `value` (and at least 1). */
export function roundUp(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

const fixed = (n: number) => Math.round(n * 10) / 10;

/**
 * Where the samples of the last `windowMs` before `end` fall in a
 * `width` × `height` box, as a step line: time runs left to right, values
 * bottom to top from 0 to a round maximum.
 */
export function sparkline(samples: readonly Sample[], frame: SparklineFrame): SparklineGeometry {
  const { end, windowMs, width, height, padding } = frame;
  const visible = samples.filter((sample) => sample.at <= end && sample.at >= end - windowMs);
  const max = roundUp(Math.max(0, ...visible.map((sample) => sample.value)));
  const x = (at: number) => fixed(padding + (width - 2 * padding) * (1 - (end - at) / windowMs));
  const y = (value: number) => fixed(height - padding - ((height - 2 * padding) * value) / max);
  if (visible.length === 0) return { line: '', area: '', max, last: null };
  const points = visible.map((sample) => ({ x: x(sample.at), y: y(sample.value) }));
  // Counts hold their value until the next reading: a step from one to the next.
  const line = points.map((p, i) => (i ? `H${p.x} V${p.y}` : `M${p.x} ${p.y}`)).join(' ');
  const base = fixed(height - padding);
  const area = `${line} L${points[points.length - 1].x} ${base} L${points[0].x} ${base} Z`;
  return { line, area, max, last: points[points.length - 1] };
}

/** The seeded PRNG the tests use (mulberry32): the same seed gives the same run. */
export { seededRandom } from '@presently/presence-core/testing';

/**
 * Picks ranks 0..n-1 with a Zipf(s) law: rank k has weight 1/(k+1)^s, so
 * with s = 1 the first of 500 pages gets about 15 % of the picks.
 */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1) ** s;
    cumulative[k] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

import { HISTORY_POINTS, type HistoryPoint } from '@presently/protocol';
import { historyPoints, type MinuteBucket } from '@presently/presence-core';

/**
 * A page's points at `now` from its history hash as Redis keeps it
 * (`history-scripts.ts`: `v`, `l`, and `t<k>`, `p<k>`, `i<k>` per slot, as
 * alternating fields and values), read as the registry reads its ring.
 */
export function historyFromHash(flat: readonly string[], now: number): HistoryPoint[] {
  if (flat.length === 0) return [];
  const hash = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i], flat[i + 1]);
  const buckets: MinuteBucket[] = [];
  for (let k = 0; k < HISTORY_POINTS; k++) {
    const t = hash.get(`t${k}`);
    if (t !== undefined) buckets.push({ t: Number(t), peak: Number(hash.get(`p${k}`) ?? 0), integral: Number(hash.get(`i${k}`) ?? 0) });
  }
  return historyPoints(buckets, Number(hash.get('v') ?? 0), Number(hash.get('l') ?? now), Number(now));
}

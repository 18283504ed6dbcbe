/**
 * Durations and moments as people say them, in English: "12 min",
 * "1 h 5 min", "5 min ago", with the ISO 8601 forms a `<time datetime>`
 * needs. Minutes are whole (rounded down): "stayed 12 min" after 12 min 50 s.
 */
const MINUTE = 60_000;

export function humanDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** How long ago something happened, `elapsed` ms before now: "just now" under a minute. */
export function timeAgo(elapsed: number): string {
  return elapsed < MINUTE ? 'just now' : `${humanDuration(elapsed)} ago`;
}

/** A duration as a `<time datetime>` value: `PT12M30S`, `PT0S`. */
export function isoDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `PT${parts || '0S'}`;
}

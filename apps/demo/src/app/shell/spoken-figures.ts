/**
 * Live figures as screen readers hear them (through `<presently-announce>`):
 * whole sentences, and nothing while a figure is not known yet.
 */

/** "3 visitors online", or '' while unknown. */
export function visitorsOnline(visitors: number | null): string {
  if (visitors === null) return '';
  return `${visitors} ${visitors === 1 ? 'visitor' : 'visitors'} online`;
}

/** "Red 60%, blue 40%, 5 clicks in all", or '' while the tallies load. */
export function pollSplit(split: { red: number; blue: number; total: number } | null): string {
  if (split === null) return '';
  if (split.total === 0) return 'No votes yet';
  return `Red ${split.red}%, blue ${split.blue}%, ${split.total} ${split.total === 1 ? 'click' : 'clicks'} in all`;
}

/** "3 reading now, 2 active" ("3 reading now" without an active count), or '' while unknown. */
export function readersNow(viewers: number | null, active: number | null): string {
  if (viewers === null) return '';
  return active === null ? `${viewers} reading now` : `${viewers} reading now, ${active} active`;
}

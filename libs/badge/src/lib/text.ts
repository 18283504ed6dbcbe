import { DEFAULT_BADGE_LABEL, isShowableInline } from '@presently/protocol';

/** The words after the number when no label is given. */
export const DEFAULT_LABEL = DEFAULT_BADGE_LABEL;

/** Shown in place of the number while the count is unknown (connecting, offline). */
export const UNKNOWN = '–';

/**
 * The label to show for the element's `label` attribute: the default when it
 * is absent, or when it holds what the server refuses in a label (bidi
 * controls, line separators), since those would reorder or break the page's
 * text around the badge.
 */
export function badgeLabel(attribute: string | null): string {
  return attribute === null || !isShowableInline(attribute) ? DEFAULT_LABEL : attribute;
}

/**
 * The badge's text: the label's `{n}` is replaced by the number; a label
 * without `{n}` follows the number.
 *
 * @example
 * badgeText(12, 'reading now') // '12 reading now'
 * badgeText(3, '{n} readers on this post') // '3 readers on this post'
 */
export function badgeText(viewers: number | null, label: string): string {
  const n = viewers === null ? UNKNOWN : String(viewers);
  if (label.includes('{n}')) return label.split('{n}').join(n);
  return label ? `${n} ${label}` : n;
}

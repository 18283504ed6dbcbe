/** The styles of shields.io badges, as `badge-maker` draws them. */
export const BADGE_STYLES = ['flat', 'flat-square', 'plastic', 'for-the-badge', 'social'] as const;
export type BadgeStyle = (typeof BADGE_STYLES)[number];

/** Colour names `badge-maker` knows, aliases included; any 3- or 6-digit hex colour is accepted too. */
export const BADGE_COLOR_NAMES = [
  'brightgreen',
  'green',
  'yellow',
  'yellowgreen',
  'orange',
  'red',
  'blue',
  'grey',
  'lightgrey',
  'gray',
  'lightgray',
  'critical',
  'important',
  'success',
  'informational',
  'inactive',
] as const;

export const BADGE_LABEL_MAX_LENGTH = 64;
export const DEFAULT_BADGE_LABEL = 'reading now';
export const DEFAULT_BADGE_COLOR = 'brightgreen';

/** The query of `GET /api/pages/badge.svg`, once validated. */
export interface BadgeQuery {
  page: string;
  label?: string;
  color?: string;
  labelColor?: string;
  style?: BadgeStyle;
}

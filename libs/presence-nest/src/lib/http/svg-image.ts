/** How long caches may keep a badge, in seconds (the contract: at most 10). */
export const BADGE_MAX_AGE_S = 10;

/**
 * The headers of an SVG image the API answers (the badge, the history
 * sparkline): cached at most {@link BADGE_MAX_AGE_S}, never sniffed as
 * anything else, and, opened on its own, it may run nothing and load nothing.
 */
export const SVG_IMAGE_HEADERS = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Cache-Control': `public, max-age=${BADGE_MAX_AGE_S}`,
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
} as const;

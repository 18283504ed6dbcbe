import { isbot } from 'isbot';

/**
 * Whether a request or handshake comes from a known crawler, link-preview bot
 * or HTTP library, by its `User-Agent` and the maintained list of `isbot`.
 * Such a connection is served but never counted. A missing or empty
 * `User-Agent` is not a crawler.
 */
export function isCrawler(userAgent: string | string[] | undefined): boolean {
  return typeof userAgent === 'string' && isbot(userAgent);
}

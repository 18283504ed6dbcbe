/** Page keys are at most 512 characters. */
const MAX_PAGE = 512;

/** The presence page key of a router URL: its path, without query or fragment. */
export function pageKey(url: string): string {
  return (url.split(/[?#]/)[0] || '/').slice(0, MAX_PAGE);
}

import type { ClientIdStorage } from '@presently/client';

/**
 * This tab's `sessionStorage` (it survives a reload, so a reload takes over
 * the held presence within the grace period), or `null` where the browser
 * refuses storage: the server then assigns an id per connection.
 */
export function tabStorage(): ClientIdStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

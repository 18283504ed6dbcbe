/**
 * This tab's `sessionStorage` (it survives a reload, so a reload takes over
 * the held presence within the grace period), or `null` where the browser
 * refuses storage: the server then assigns an id per connection, and a
 * sign-in lasts until a reload.
 */
export function tabStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

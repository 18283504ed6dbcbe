/**
 * Whether a request from a browser page of `origin` may act: any origin
 * while no list is configured; otherwise only the listed ones. A request
 * without an `Origin` (a server, a native app, a same-origin navigation)
 * is not a cross-origin page and passes. CORS headers alone only stop a
 * page from reading an answer, not its request from acting, so handshakes,
 * streams and the HTTP API all refuse with this one rule.
 */
export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  return origin === undefined || allowed === undefined || allowed.includes(origin);
}

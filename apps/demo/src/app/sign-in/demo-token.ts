/**
 * The demo's sign-in: a server started with `DEMO_TOKENS=1` (what `npm start`
 * does, never production) mints a signed token for a display name at
 * `POST /api/demo/token`; any other server answers 404, and the demo then
 * offers no sign-in.
 */
export const DEMO_TOKEN_PATH = '/api/demo/token';

export type DemoTokenAnswer =
  | { kind: 'token'; token: string }
  /** The server mints no demo tokens (404). */
  | { kind: 'not-offered' }
  /** It does, but not this time (a bad name, too many requests, no network). */
  | { kind: 'refused'; message: string };

type Fetch = (input: string, init: RequestInit) => Promise<Pick<Response, 'status' | 'ok' | 'json'>>;

/** Asks the server for a demo token naming `name`. Never throws. */
export async function requestDemoToken(name: string, fetchFn: Fetch = (input, init) => fetch(input, init)): Promise<DemoTokenAnswer> {
  let response: Awaited<ReturnType<Fetch>>;
  try {
    response = await fetchFn(DEMO_TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  } catch {
    return { kind: 'refused', message: 'The server could not be reached. Try again in a moment.' };
  }
  if (response.status === 404) return { kind: 'not-offered' };
  const body = (await response.json().catch(() => null)) as { token?: unknown; error?: { message?: unknown } } | null;
  if (response.ok && typeof body?.token === 'string' && body.token) return { kind: 'token', token: body.token };
  if (response.status === 429) return { kind: 'refused', message: 'Too many sign-ins at once. Try again in a moment.' };
  const reason = typeof body?.error?.message === 'string' ? body.error.message : `the server answered ${response.status}`;
  return { kind: 'refused', message: `Sign-in refused: ${reason}.` };
}

/**
 * Whether the server mints demo tokens, asked with a request that names no
 * one: a server that mints them refuses it as a bad request (400), or as
 * one too many from this address (429), or mints a token nobody uses; one
 * that does not answers 404 (401 without an API key, like any unknown
 * operator call). `false` when the server cannot be reached.
 */
export async function demoTokensOffered(fetchFn: Fetch = (input, init) => fetch(input, init)): Promise<boolean> {
  try {
    const response = await fetchFn(DEMO_TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return response.ok || response.status === 400 || response.status === 429;
  } catch {
    return false;
  }
}

/**
 * When a token stops vouching (its `exp`, in epoch ms), read from its
 * payload without checking the signature (the server does that); `null`
 * for anything that is not a JWT with a numeric `exp`.
 */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const exp: unknown = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** A token presented this long before its expiry could expire during the handshake. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Whether a kept token can still open a connection at `now`. */
export function stillValid(token: string, now: number): boolean {
  const expiry = tokenExpiry(token);
  return expiry !== null && expiry - EXPIRY_MARGIN_MS > now;
}

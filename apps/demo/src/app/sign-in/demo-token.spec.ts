import { DEMO_TOKEN_PATH, demoTokensOffered, EXPIRY_MARGIN_MS, requestDemoToken, stillValid, tokenExpiry } from './demo-token';

/** A fake fetch answering `status` with `body`, recording what it was asked. */
function answering(status: number, body?: unknown) {
  const calls: Array<{ input: string; init: RequestInit }> = [];
  const fetchFn = async (input: string, init: RequestInit) => {
    calls.push({ input, init });
    return {
      status,
      ok: status >= 200 && status < 300,
      json: async () => {
        if (body === undefined) throw new SyntaxError('no JSON');
        return body;
      },
    };
  };
  return { fetchFn, calls };
}

const unreachable = async () => {
  throw new TypeError('Failed to fetch');
};

/** An unsigned JWT-shaped token with `payload` (the client never checks signatures). */
const jwt = (payload: object) => `e30.${btoa(JSON.stringify(payload)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('demo tokens', () => {
  it('are asked for with the display name as JSON', async () => {
    const { fetchFn, calls } = answering(200, { token: 'a.b.c' });
    await expect(requestDemoToken('Ada Lovelace', fetchFn)).resolves.toEqual({ kind: 'token', token: 'a.b.c' });
    expect(calls).toHaveLength(1);
    expect(calls[0].input).toBe(DEMO_TOKEN_PATH);
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ name: 'Ada Lovelace' });
  });

  it('are not offered by a server that answers 404, or refuses the route before looking at it', async () => {
    await expect(requestDemoToken('Ada', answering(404, { error: { code: 'NOT_FOUND' } }).fetchFn)).resolves.toEqual({ kind: 'not-offered' });
    await expect(demoTokensOffered(answering(404).fetchFn)).resolves.toBe(false);
    await expect(demoTokensOffered(answering(401, { error: { code: 'UNAUTHORIZED' } }).fetchFn)).resolves.toBe(false);
    await expect(demoTokensOffered(answering(500).fetchFn)).resolves.toBe(false);
  });

  it('are offered by a server that refuses a request without a name, or one too many, or mints a token for it', async () => {
    const { fetchFn, calls } = answering(400, { error: { code: 'BAD_REQUEST', message: 'name is required' } });
    await expect(demoTokensOffered(fetchFn)).resolves.toBe(true);
    expect(JSON.parse(String(calls[0].init.body))).toEqual({});
    await expect(demoTokensOffered(answering(429, { error: { code: 'RATE_LIMITED' } }).fetchFn)).resolves.toBe(true);
    await expect(demoTokensOffered(answering(200, { token: 'a.b.c' }).fetchFn)).resolves.toBe(true);
  });

  it('say why they were refused, in words, and never throw', async () => {
    await expect(requestDemoToken('Ada', answering(400, { error: { code: 'BAD_REQUEST', message: 'name is too long' } }).fetchFn)).resolves.toEqual({
      kind: 'refused',
      message: 'Sign-in refused: name is too long.',
    });
    await expect(requestDemoToken('Ada', answering(429).fetchFn)).resolves.toMatchObject({ kind: 'refused', message: expect.stringContaining('Too many') });
    await expect(requestDemoToken('Ada', answering(500).fetchFn)).resolves.toEqual({ kind: 'refused', message: 'Sign-in refused: the server answered 500.' });
    // A 200 without a token is no token.
    await expect(requestDemoToken('Ada', answering(200, {}).fetchFn)).resolves.toMatchObject({ kind: 'refused' });
    await expect(requestDemoToken('Ada', unreachable)).resolves.toMatchObject({ kind: 'refused', message: expect.stringContaining('could not be reached') });
    await expect(demoTokensOffered(unreachable)).resolves.toBe(false);
  });

  it('expire when their payload says, read without checking the signature', () => {
    expect(tokenExpiry(jwt({ sub: 'ada', exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
    // base64url, not base64: a payload whose encoding has '-' or '_' decodes the same.
    expect(tokenExpiry(jwt({ sub: '>>>???', name: 'ÿÿÿ', exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(tokenExpiry(jwt({ sub: 'ada' }))).toBeNull();
    expect(tokenExpiry(jwt({ sub: 'ada', exp: '1700000000' }))).toBeNull();
    expect(tokenExpiry('not a token')).toBeNull();
    expect(tokenExpiry('a.%%%.c')).toBeNull();
  });

  it('are still valid until shortly before they expire', () => {
    const token = jwt({ sub: 'ada', exp: 2_000_000 });
    expect(stillValid(token, 2_000_000_000 - EXPIRY_MARGIN_MS - 1)).toBe(true);
    expect(stillValid(token, 2_000_000_000 - EXPIRY_MARGIN_MS)).toBe(false);
    expect(stillValid('garbage', 0)).toBe(false);
  });
});

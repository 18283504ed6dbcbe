import {
  ANONYMOUS_ID,
  clientId,
  connect,
  connectError,
  signToken,
  useServer,
  get,
  metrics,
  nowS,
  unsignedToken,
  untilMetric,
  userToken,
} from '@presently/testing';

const SECRET = 'auth-e2e-secret-0123456789abcdef';
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

describe('handshake and session (JWT_SECRET set)', () => {
  const server = useServer({ JWT_SECRET: SECRET });

  const refused = async (auth: Record<string, unknown>) => {
    const error = await connectError(server.url, { auth });
    expect(error.message).toBe('UNAUTHORIZED');
  };

  it('sends an anonymous visitor its session: its clientId, a public userId derived from it, name null, no roles', async () => {
    const id = clientId('anon');
    const before = Date.now();
    const { session } = await connect(server.url, { clientId: id });
    expect(session).toEqual({ protocol: '1.1', clientId: id, userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [], serverTime: expect.any(Number) });
    expect((await connect(server.url, { clientId: id })).session.userId).toBe(session.userId);
    expect(session.serverTime).toBeGreaterThanOrEqual(before - 5000);
    expect(session.serverTime).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('sends an authenticated user its session: userId from sub, name defaulting to sub, roles', async () => {
    const id = clientId('user');
    const { session } = await connect(server.url, { clientId: id, token: await userToken(SECRET, 'user-42') });
    expect(session).toEqual({ protocol: '1.1', clientId: id, userId: 'user-42', name: 'user-42', roles: [], serverTime: expect.any(Number) });

    const named = await connect(server.url, { token: await userToken(SECRET, 'user-43', { name: 'Grace Hopper', roles: ['admin', 'ops'] }) });
    expect(named.session).toEqual({
      protocol: '1.1',
      clientId: expect.stringMatching(CLIENT_ID),
      userId: 'user-43',
      name: 'Grace Hopper',
      roles: ['admin', 'ops'],
      serverTime: expect.any(Number),
    });
  });

  it('keeps a well-formed clientId, and gives each its own public userId', async () => {
    const ids = ['abcdEFGH', 'a_b-c_d-', '0123456789', 'x'.repeat(64), `Zz_-${'9'.repeat(60)}`, `a_${'A'.repeat(22)}`];
    const userIds = new Set<string>();
    for (const id of ids) {
      const { session } = await connect(server.url, { auth: { clientId: id } });
      expect(session.clientId).toBe(id);
      expect(session.userId).toMatch(ANONYMOUS_ID);
      expect(session.userId).not.toBe(id);
      userIds.add(session.userId);
    }
    expect(userIds.size).toBe(ids.length);
  });

  it('assigns a clientId when it is missing or malformed', async () => {
    const assigned: string[] = [];
    const inputs: unknown[] = [undefined, '', 'short7c', 'x'.repeat(65), 'has space', 'bad!chars', 'ünïcödé-id', 'dot.ted.id', 12345678, { id: 'abcdefgh' }, ['abcdefgh']];
    for (const input of inputs) {
      const { session } = await connect(server.url, { auth: input === undefined ? {} : { clientId: input } });
      expect(session.clientId).toMatch(CLIENT_ID);
      expect(session.clientId).not.toBe(input);
      expect(session.userId).toMatch(ANONYMOUS_ID);
      assigned.push(session.clientId);
    }
    expect(new Set(assigned).size).toBe(assigned.length);
  });

  it('accepts a valid HS256 token, and one that expired within the 30 s skew', async () => {
    const valid = await signToken(SECRET, { sub: 'hs256' }, { expiresIn: '5m' });
    expect((await connect(server.url, { token: valid })).session.userId).toBe('hs256');
    const justExpired = await signToken(SECRET, { sub: 'skewed', exp: nowS() - 10 });
    expect((await connect(server.url, { token: justExpired })).session.userId).toBe('skewed');
  });

  it('refuses a token with a bad signature', async () => {
    await refused({ token: await userToken('another-secret-0123456789abcdef', 'mallory') });
    const [header, , signature] = (await userToken(SECRET, 'alice')).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowS() + 3600, roles: ['admin'] })).toString('base64url');
    await refused({ token: `${header}.${forgedPayload}.${signature}` });
  });

  it('refuses an expired token (beyond the skew)', async () => {
    await refused({ token: await signToken(SECRET, { sub: 'late', exp: nowS() - 120 }) });
    await refused({ token: await signToken(SECRET, { sub: 'later', exp: nowS() - 86_400 }) });
  });

  it('refuses a token whose exp is more than MAX_TOKEN_TTL_S (default 30 days) ahead, on the handshake and as a Bearer header', async () => {
    const DAY_S = 86_400;
    const room = `private:ttl-${clientId('r')}`;
    const members = (token: string) => get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`, { authorization: `Bearer ${token}` });
    for (const exp of [1e308, Number.MAX_SAFE_INTEGER, nowS() + 31 * DAY_S, nowS() + 30 * DAY_S + 60]) {
      const token = await signToken(SECRET, { sub: 'forever', exp });
      await refused({ token });
      const answer = await members(token);
      expect({ exp, status: answer.status, body: answer.body }).toEqual({ exp, status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } } });
    }
    const monthly = await signToken(SECRET, { sub: 'monthly', exp: nowS() + 29 * DAY_S });
    expect((await connect(server.url, { token: monthly })).session.userId).toBe('monthly');
    expect(await members(monthly)).toMatchObject({ status: 200, body: { room, members: [] } });
  });

  it('refuses a token without exp or without sub', async () => {
    await refused({ token: await signToken(SECRET, { sub: 'forever' }) });
    await refused({ token: await signToken(SECRET, { name: 'nobody' }, { expiresIn: '1h' }) });
  });

  it('refuses a token signed with another algorithm (HS384) or unsigned (alg none)', async () => {
    await refused({ token: await signToken(SECRET, { sub: 'hs384' }, { alg: 'HS384', expiresIn: '1h' }) });
    await refused({ token: await signToken(SECRET, { sub: 'hs512' }, { alg: 'HS512', expiresIn: '1h' }) });
    await refused({ token: unsignedToken({ sub: 'none', exp: nowS() + 3600 }) });
    await refused({ token: unsignedToken({ sub: 'none', exp: nowS() + 3600, roles: ['admin'] }).replace(/\.$/, '') });
  });

  it('refuses a token whose sub starts with a_ (anonymous ids are nobody\'s to sign)', async () => {
    await refused({ token: await userToken(SECRET, 'a_x') });
    // Even the very id an anonymous member is listed under.
    const { session } = await connect(server.url, { clientId: clientId('anon-victim') });
    await refused({ token: await userToken(SECRET, session.userId) });
    // Only the start counts.
    expect((await connect(server.url, { token: await userToken(SECRET, 'ba_x') })).session.userId).toBe('ba_x');
  });

  it('refuses a token whose roles is not an array of strings', async () => {
    for (const roles of ['admin', ['admin', 3], [1, 2], { admin: true }, [null], [['admin']]]) {
      await refused({ token: await userToken(SECRET, 'roley', { roles }) });
    }
  });

  it('refuses a token that is not a string, or not a JWT', async () => {
    for (const token of [12345, true, { sub: 'object' }, ['a.b.c'], 'not-a-jwt', 'a.b.c']) await refused({ token });
  });

  it('treats an empty-string token as an anonymous visitor', async () => {
    const id = clientId('empty-token');
    const { session } = await connect(server.url, { auth: { clientId: id, token: '' } });
    expect(session).toEqual({ protocol: '1.1', clientId: id, userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [], serverTime: expect.any(Number) });
  });

  it('counts no refused handshake', async () => {
    // Sockets of earlier tests entered nothing, so nothing is held once they are gone.
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
    await refused({ token: 'garbage' });
    await refused({ token: await signToken(SECRET, { sub: 'x', exp: nowS() - 3600 }) });
    expect((await get(server.url, '/api/stats')).body.online).toEqual({ connections: 0, visitors: 0 });
    expect((await metrics(server.url)).presently_connections).toBe(0);
  });
});

describe('handshake with MAX_TOKEN_TTL_S=3600', () => {
  const server = useServer({ JWT_SECRET: SECRET, MAX_TOKEN_TTL_S: '3600' });

  it('accepts a token good for the next 30 minutes and refuses one good for the next 2 hours', async () => {
    const soon = await signToken(SECRET, { sub: 'soon' }, { expiresIn: '30m' });
    expect((await connect(server.url, { token: soon })).session.userId).toBe('soon');
    const later = await signToken(SECRET, { sub: 'later' }, { expiresIn: '2h' });
    expect((await connectError(server.url, { token: later })).message).toBe('UNAUTHORIZED');
  });
});

describe('handshake without JWT_SECRET', () => {
  const server = useServer({});

  it('refuses every token with UNAUTHORIZED', async () => {
    for (const token of [await userToken(SECRET, 'alice'), unsignedToken({ sub: 'none', exp: nowS() + 60 }), 'garbage', 42]) {
      const error = await connectError(server.url, { auth: { token } });
      expect(error.message).toBe('UNAUTHORIZED');
    }
  });

  it('still lets anonymous visitors in, with no token or an empty one', async () => {
    const id = clientId('no-secret');
    const { session } = await connect(server.url, { clientId: id });
    expect(session).toEqual({ protocol: '1.1', clientId: id, userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [], serverTime: expect.any(Number) });
    expect((await connect(server.url, { auth: { clientId: id, token: '' } })).session).toMatchObject({ clientId: id, userId: session.userId, name: null, roles: [] });
  });
});

import { barrier, connect, equals, key, post, record, request, useCluster, waitFor, type RunningRedis } from '@presently/testing';

type Tallies = { poll: string; tallies: Record<string, number> };

/**
 * Live polls (a protocol extension) across real server processes sharing one
 * real redis-server: the tallies are kept once for the cluster, every
 * process's watchers get them, and a late watcher anywhere starts from them.
 */
const API_KEY = 'cluster-polls-key-0123456789';
const FORBIDDEN = { ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } };

describe('live polls across processes', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({
    REDIS_URL: redis.url,
    COUNT_INTERVAL_MS: '50',
    RATE_LIMIT_PER_S: '10000',
    RATE_LIMIT_BURST: '10000',
    API_KEY,
    POLLS: 'cluster-env-poll',
  }));
  const { servers } = cluster;

  const api = (server: number, path: string, body: unknown, apiKey: string | null = API_KEY) =>
    post(servers[server].url, path, body, apiKey === null ? {} : { 'x-api-key': apiKey });
  /** A new poll of this test, declared through the API of process `server`. */
  async function declared(name: string, server = 0): Promise<string> {
    const poll = key(name);
    expect(await api(server, '/api/polls', { poll })).toMatchObject({ status: 201, body: { ok: true, poll, created: true } });
    return poll;
  }

  it('refuses an undeclared poll on every process with FORBIDDEN, keeping nothing; POLLS declares on every process', async () => {
    const poll = key('cluster-undeclared');
    const [{ socket: a }, { socket: b }] = await Promise.all(servers.map((server) => connect(server.url)));
    for (const socket of [a, b]) {
      expect(await request(socket, 'poll:watch', { poll })).toEqual(FORBIDDEN);
      expect(await request(socket, 'poll:vote', { poll, option: 'red' })).toEqual(FORBIDDEN);
    }
    // Declared through one process, it is declared on the other, and starts from nothing.
    expect(await api(1, '/api/polls', { poll })).toMatchObject({ status: 201 });
    expect(await api(0, '/api/polls', { poll })).toMatchObject({ status: 200, body: { created: false } });
    expect(await request(a, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    for (const socket of [a, b]) expect(await request(socket, 'poll:vote', { poll: 'cluster-env-poll', option: 'yes' })).toMatchObject({ ok: true });
    expect(await request(b, 'poll:watch', { poll: 'cluster-env-poll' })).toMatchObject({ ok: true, tallies: { yes: expect.any(Number) } });
    expect(await api(0, '/api/polls', { poll: 'x' }, null)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });

  it('closes a poll for the cluster: watchers on both processes get the final closed tally, then votes anywhere are FORBIDDEN', async () => {
    const poll = await declared('cluster-close', 1);
    const [{ socket: a }, { socket: b }] = await Promise.all(servers.map((server) => connect(server.url)));
    for (const socket of [a, b]) expect(await request(socket, 'poll:watch', { poll })).toMatchObject({ ok: true });
    expect(await request(b, 'poll:vote', { poll, option: 'red' })).toMatchObject({ ok: true, tallies: { red: 1 } });
    const final = { poll, tallies: { red: 1 }, closed: true };
    const told = [a, b].map((socket) => waitFor<Tallies>(socket, 'poll:tally', (t) => (t as { closed?: boolean }).closed === true, 10_000));
    expect(await api(0, '/api/polls/close', { poll })).toMatchObject({ status: 200, body: { ok: true, ...final } });
    for (const seen of await Promise.all(told)) expect(seen).toEqual(final);
    for (const socket of [a, b]) {
      expect(await request(socket, 'poll:vote', { poll, option: 'red' })).toEqual(FORBIDDEN);
      expect(await request(socket, 'poll:watch', { poll })).toEqual(FORBIDDEN);
    }
    expect(await api(1, '/api/polls/close', { poll })).toMatchObject({ status: 404 });

    // Declared again: nobody from before is subscribed, and it starts from nothing.
    expect(await api(1, '/api/polls', { poll })).toMatchObject({ status: 201 });
    const seen = [a, b].map((socket) => record<Tallies>(socket, 'poll:tally'));
    const { socket: control } = await connect(servers[0].url);
    expect(await request(control, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    const pushed = waitFor<Tallies>(control, 'poll:tally', equals<Tallies>({ poll, tallies: { blue: 1 } }));
    await request(b, 'poll:vote', { poll, option: 'blue' });
    await pushed;
    await Promise.all([barrier(a), barrier(b)]);
    expect(seen).toEqual([[], []]);
  });

  it('counts votes from every process once and pushes the tallies to watchers on both', async () => {
    const poll = await declared('cluster-poll');
    const { socket: watcherA } = await connect(servers[0].url);
    const { socket: watcherB } = await connect(servers[1].url);
    expect(await request(watcherA, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    expect(await request(watcherB, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });

    const final: Tallies = { poll, tallies: { red: 60, blue: 40 } };
    const atA = waitFor<Tallies>(watcherA, 'poll:tally', equals(final));
    const atB = waitFor<Tallies>(watcherB, 'poll:tally', equals(final));
    const voters = await Promise.all(servers.map((server) => connect(server.url)));
    await Promise.all(
      voters.flatMap(({ socket }, v) =>
        Array.from({ length: 50 }, (_, i) => request(socket, 'poll:vote', { poll, option: v === 0 || i % 5 === 0 ? 'red' : 'blue' })),
      ),
    );
    await Promise.all([atA, atB]);

    // A late watcher on either process starts from the cluster's tallies; a vote's ack has them too.
    const { socket: late } = await connect(servers[1].url);
    expect(await request(late, 'poll:watch', { poll })).toEqual({ ok: true, ...final });
    expect(await request(late, 'poll:vote', { poll, option: 'red' })).toEqual({ ok: true, poll, tallies: { red: 61, blue: 40 } });
  });

  it('keeps the option limit across processes', async () => {
    const poll = await declared('cluster-poll-limit', 1);
    const [{ socket: a }, { socket: b }] = await Promise.all(servers.map((server) => connect(server.url)));
    for (let i = 0; i < 16; i++) expect((await request(i % 2 ? a : b, 'poll:vote', { poll, option: `o${i}` })).ok).toBe(true);
    expect(await request(a, 'poll:vote', { poll, option: 'o16' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    expect(await request(b, 'poll:vote', { poll, option: 'o0' })).toMatchObject({ ok: true, tallies: { o0: 2 } });
  });
});

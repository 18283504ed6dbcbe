import { connect, equals, key, request, useCluster, waitFor, type RunningRedis } from '@presently/testing';

type Tallies = { poll: string; tallies: Record<string, number> };

/**
 * Live polls (a protocol extension) across real server processes sharing one
 * real redis-server: the tallies are kept once for the cluster, every
 * process's watchers get them, and a late watcher anywhere starts from them.
 */
describe('live polls across processes', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({ REDIS_URL: redis.url, COUNT_INTERVAL_MS: '50', RATE_LIMIT_PER_S: '10000', RATE_LIMIT_BURST: '10000' }));
  const { servers } = cluster;

  it('counts votes from every process once and pushes the tallies to watchers on both', async () => {
    const poll = key('cluster-poll');
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
    const poll = key('cluster-poll-limit');
    const [{ socket: a }, { socket: b }] = await Promise.all(servers.map((server) => connect(server.url)));
    for (let i = 0; i < 16; i++) expect((await request(i % 2 ? a : b, 'poll:vote', { poll, option: `o${i}` })).ok).toBe(true);
    expect(await request(a, 'poll:vote', { poll, option: 'o16' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    expect(await request(b, 'poll:vote', { poll, option: 'o0' })).toMatchObject({ ok: true, tallies: { o0: 2 } });
  });
});

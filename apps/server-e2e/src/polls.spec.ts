import { barrier, connect, equals, key, record, request, useServer, waitFor } from '@presently/testing';

type Tallies = { poll: string; tallies: Record<string, number> };
const tallies = (poll: string, values: Record<string, number>): Tallies => ({ poll, tallies: values });

describe('live polls (protocol extension)', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', RATE_LIMIT_PER_S: '10000', RATE_LIMIT_BURST: '10000' });

  it('acks votes with the tallies and pushes them to every watcher', async () => {
    const poll = key('poll:ack');
    const { socket: voter } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    const pushed = waitFor<Tallies>(watcher, 'poll:tally', equals(tallies(poll, { red: 1 })));
    expect(await request(voter, 'poll:vote', { poll, option: 'red' })).toEqual({ ok: true, poll, tallies: { red: 1 } });
    await pushed;
    expect(await request(voter, 'poll:vote', { poll, option: 'blue' })).toEqual({ ok: true, poll, tallies: { red: 1, blue: 1 } });
    // A late watcher starts from the current tallies.
    const { socket: late } = await connect(server.url);
    expect(await request(late, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: { red: 1, blue: 1 } });
  });

  it('ends exact after a burst of votes from several sockets, with coalesced pushes', async () => {
    const poll = key('poll:burst');
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'poll:watch', { poll });
    const seen = record<Tallies>(watcher, 'poll:tally');
    const voters = await Promise.all([1, 2, 3].map(() => connect(server.url)));
    const final = waitFor<Tallies>(watcher, 'poll:tally', equals(tallies(poll, { red: 150, blue: 150 })));
    await Promise.all(
      voters.flatMap(({ socket }) =>
        Array.from({ length: 100 }, (_, i) => request(socket, 'poll:vote', { poll, option: i % 2 ? 'red' : 'blue' })),
      ),
    );
    await final;
    expect(seen.length).toBeLessThan(300);
  });

  it('stops pushing after poll:unwatch and after a disconnect', async () => {
    const poll = key('poll:unwatch');
    const { socket: voter } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'poll:watch', { poll });
    await request(watcher, 'poll:watch', { poll });
    expect(await request(watcher, 'poll:unwatch', { poll })).toEqual({ ok: true });
    expect(await request(watcher, 'poll:unwatch', { poll })).toEqual({ ok: true });
    const seen = record<Tallies>(watcher, 'poll:tally');
    // A control watcher proves the push happened before the unwatched socket is checked.
    const { socket: control } = await connect(server.url);
    await request(control, 'poll:watch', { poll });
    const pushed = waitFor<Tallies>(control, 'poll:tally', equals(tallies(poll, { red: 1 })));
    await request(voter, 'poll:vote', { poll, option: 'red' });
    await pushed;
    await barrier(watcher);
    expect(seen).toEqual([]);
  });

  it.each([
    ['no poll', { option: 'red' }],
    ['an empty poll', { poll: '', option: 'red' }],
    ['an option with spaces', { poll: 'p', option: 'red one' }],
    ['an option too long', { poll: 'p', option: 'x'.repeat(33) }],
    ['a numeric option', { poll: 'p', option: 1 }],
    ['a prototype key', JSON.parse('{"poll":"p","option":"red","__proto__":{"x":1}}')],
  ])('refuses %s with BAD_REQUEST and counts nothing', async (_what, payload) => {
    const { socket } = await connect(server.url);
    const ack = await request(socket, 'poll:vote', payload);
    expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await request(socket, 'poll:watch', { poll: 'p' })).toEqual({ ok: true, poll: 'p', tallies: {} });
  });

  it('refuses a seventeenth option with LIMIT_EXCEEDED', async () => {
    const poll = key('poll:options');
    const { socket } = await connect(server.url);
    for (let i = 0; i < 16; i++) await request(socket, 'poll:vote', { poll, option: `o${i}` });
    expect(await request(socket, 'poll:vote', { poll, option: 'extra' })).toMatchObject({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED' },
    });
    const ack = await request(socket, 'poll:vote', { poll, option: 'o0' });
    expect(Object.keys(ack.tallies)).toHaveLength(16);
    expect(ack.tallies.o0).toBe(2);
  });
});

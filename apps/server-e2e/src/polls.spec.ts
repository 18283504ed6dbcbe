import { barrier, connect, equals, key, post, record, request, useServer, waitFor } from '@presently/testing';

type Tallies = { poll: string; tallies: Record<string, number> };
const tallies = (poll: string, values: Record<string, number>): Tallies => ({ poll, tallies: values });

const API_KEY = 'polls-e2e-key-0123456789';
const FORBIDDEN = { ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } };

describe('live polls (protocol extension)', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', RATE_LIMIT_PER_S: '10000', RATE_LIMIT_BURST: '10000', API_KEY, POLLS: 'env-poll, env:second' });

  const api = (path: string, body: unknown, apiKey: string | null = API_KEY) => post(server.url, path, body, apiKey === null ? {} : { 'x-api-key': apiKey });
  /** A new poll of this test, declared through the API. */
  async function declared(name: string): Promise<string> {
    const poll = key(name);
    expect(await api('/api/polls', { poll })).toMatchObject({ status: 201, body: { ok: true, poll, created: true } });
    return poll;
  }

  it('refuses watching and voting in an undeclared poll with FORBIDDEN, and keeps nothing of it', async () => {
    const poll = key('poll:undeclared');
    const { socket } = await connect(server.url);
    const { socket: other } = await connect(server.url);
    expect(await request(socket, 'poll:watch', { poll })).toEqual(FORBIDDEN);
    for (let i = 0; i < 20; i++) expect(await request(socket, 'poll:vote', { poll, option: `o${i}` })).toEqual(FORBIDDEN);
    // Declared later, it starts from nothing: the refused votes were not kept.
    expect(await api('/api/polls', { poll })).toMatchObject({ status: 201 });
    expect(await request(other, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    // A refused watch subscribed nothing: the first socket hears no tally of it.
    const seen = record<Tallies>(socket, 'poll:tally');
    const pushed = waitFor<Tallies>(other, 'poll:tally', equals(tallies(poll, { red: 1 })));
    await request(other, 'poll:vote', { poll, option: 'red' });
    await pushed;
    await barrier(socket);
    expect(seen).toEqual([]);
  });

  it('serves the polls POLLS declares', async () => {
    const { socket } = await connect(server.url);
    for (const poll of ['env-poll', 'env:second']) {
      expect(await request(socket, 'poll:watch', { poll })).toMatchObject({ ok: true, poll });
      expect((await request(socket, 'poll:vote', { poll, option: 'yes' })).ok).toBe(true);
    }
    expect(await api('/api/polls', { poll: 'env-poll' })).toMatchObject({ status: 200, body: { ok: true, poll: 'env-poll', created: false } });
  });

  it('declares through the API (201, then 200), closes through it, and tells the watchers with a final closed tally', async () => {
    const poll = await declared('poll:api');
    expect(await api('/api/polls', { poll })).toMatchObject({ status: 200, body: { ok: true, poll, created: false } });
    const { socket: voter } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    expect(await request(voter, 'poll:vote', { poll, option: 'red' })).toEqual({ ok: true, poll, tallies: { red: 1 } });

    const told = waitFor<Tallies>(watcher, 'poll:tally', (t) => (t as { closed?: boolean }).closed === true);
    expect(await api('/api/polls/close', { poll })).toEqual(expect.objectContaining({ status: 200, body: { ok: true, poll, tallies: { red: 1 }, closed: true } }));
    expect(await told).toEqual({ poll, tallies: { red: 1 }, closed: true });
    expect(await request(voter, 'poll:vote', { poll, option: 'red' })).toEqual(FORBIDDEN);
    expect(await request(voter, 'poll:watch', { poll })).toEqual(FORBIDDEN);
    expect(await api('/api/polls/close', { poll })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

    // Declared again, it starts from nothing, and the old watcher is no longer subscribed.
    expect(await api('/api/polls', { poll })).toMatchObject({ status: 201 });
    const seen = record<Tallies>(watcher, 'poll:tally');
    const { socket: control } = await connect(server.url);
    expect(await request(control, 'poll:watch', { poll })).toEqual({ ok: true, poll, tallies: {} });
    const pushed = waitFor<Tallies>(control, 'poll:tally', equals(tallies(poll, { blue: 1 })));
    await request(voter, 'poll:vote', { poll, option: 'blue' });
    await pushed;
    await barrier(watcher);
    expect(seen).toEqual([]);
  });

  it('answers the polls API 401 without the key (a bad body included) and 400 for a bad body with it, changing nothing', async () => {
    const poll = key('poll:nokey');
    for (const apiKey of [null, '', 'wrong']) {
      expect(await api('/api/polls', { poll }, apiKey)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      expect(await api('/api/polls', '{"poll":', apiKey)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      expect(await api('/api/polls/close', { poll: 'env-poll' }, apiKey)).toMatchObject({ status: 401 });
    }
    for (const body of [{}, { poll: '' }, { poll: 7 }, { poll: 'x'.repeat(513) }, { poll: 'a\u0000' }, '"env-poll"']) {
      expect(await api('/api/polls', body)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    const { socket } = await connect(server.url);
    expect(await request(socket, 'poll:watch', { poll })).toEqual(FORBIDDEN);
    expect(await request(socket, 'poll:watch', { poll: 'env-poll' })).toMatchObject({ ok: true });
  });

  it('acks votes with the tallies and pushes them to every watcher', async () => {
    const poll = await declared('poll:ack');
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
    const poll = await declared('poll:burst');
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
    const poll = await declared('poll:unwatch');
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
    expect(await request(socket, 'poll:watch', { poll: 'p' })).toEqual(FORBIDDEN);
  });

  it('refuses a seventeenth option with LIMIT_EXCEEDED', async () => {
    const poll = await declared('poll:options');
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

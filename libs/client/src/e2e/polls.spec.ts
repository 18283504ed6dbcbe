import type { PollTallies } from '@presently/protocol';
import { key, useServer } from '@presently/testing';
import { closeClients, next, openClient } from '../test/support';

describe('polls', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '20', POLLS: 'client:colour,client:bad' });
  afterEach(() => closeClients());

  it('watches the tallies while subscribed, and every watcher sees a vote', async () => {
    const { client: voter } = openClient({ url: server.url });
    const { client: watcher, sent } = openClient({ url: server.url });
    const name = 'client:colour';
    const poll = watcher.poll(name);
    expect(watcher.poll(name)).toBe(poll);

    const seen: PollTallies[] = [];
    const one = poll.tallies$.subscribe((tallies) => seen.push(tallies));
    const two = poll.tallies$.subscribe();
    await expect(next(poll.tallies$)).resolves.toEqual({ poll: name, tallies: {} });

    await expect(voter.poll(name).vote('red')).resolves.toEqual({ poll: name, tallies: { red: 1 } });
    await next(poll.tallies$, (t) => t.tallies['red'] === 1);
    await expect(watcher.poll(name).vote('blue')).resolves.toEqual({ poll: name, tallies: { red: 1, blue: 1 } });
    expect(seen).toEqual([
      { poll: name, tallies: {} },
      { poll: name, tallies: { red: 1 } },
      { poll: name, tallies: { red: 1, blue: 1 } },
    ]);
    expect(sent.filter((event) => event === 'poll:watch')).toHaveLength(1);
    one.unsubscribe();
    two.unsubscribe();
    expect(sent.filter((event) => event === 'poll:unwatch')).toHaveLength(1);
  });

  it('rejects a bad option with BAD_REQUEST', async () => {
    const { client } = openClient({ url: server.url });
    await expect(client.poll('client:bad').vote('not an option!')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('rejects voting in, and fails watching, a poll the application did not declare, with FORBIDDEN', async () => {
    const { client } = openClient({ url: server.url });
    const undeclared = client.poll(key('undeclared'));
    await expect(undeclared.vote('red')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(next(undeclared.tallies$)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

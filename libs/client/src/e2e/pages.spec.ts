import { connect, key, pageCount, request, useServer } from '@presently/testing';
import { PresenceError } from '../lib/presence-error';
import { closeClients, connected, next, openClient, pushed } from '../test/support';

type Counts = { page: string; viewers: number; connections: number; active: number };
const counts = (page: string, viewers: number, connections: number): Counts => ({ page, viewers, connections, active: viewers });

describe('pages', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '20', GRACE_MS: '300' });
  afterEach(() => closeClients());

  it('shares one socket listener and one page:watch between subscribers; a late subscriber gets the current value at once', async () => {
    const { client, socket, sent } = openClient({ url: server.url });
    await connected(client);
    const page = key('/shared');
    const stream = client.pageCount$(page);
    expect(client.pageCount$(page)).toBe(stream);

    const seenA: Counts[] = [];
    const seenB: Counts[] = [];
    stream.subscribe((value) => seenA.push(value));
    stream.subscribe((value) => seenB.push(value));
    await next(stream, (value) => value.viewers === 0);

    const { socket: reader } = await connect(server.url);
    await request(reader, 'page:enter', { page });
    await next(stream, (value) => value.viewers === 1);

    let late: Counts | undefined;
    stream.subscribe((value) => (late = value));
    expect(late).toEqual(counts(page, 1, 1));
    expect(seenA).toEqual([counts(page, 0, 0), counts(page, 1, 1)]);
    expect(seenB).toEqual(seenA);
    expect(sent.filter((event) => event === 'page:watch')).toHaveLength(1);
    expect(socket().listeners('page:count')).toHaveLength(1);
  });

  it('stops watching when the last subscriber leaves: the server sends that page no more counts', async () => {
    const { client, socket, sent } = openClient({ url: server.url });
    await connected(client);
    const page = key('/left-alone');
    const sentinel = key('/sentinel');
    const one = client.pageCount$(page).subscribe();
    const two = client.pageCount$(page).subscribe();
    client.pageCount$(sentinel).subscribe();
    await next(client.pageCount$(page));

    one.unsubscribe();
    expect(sent.filter((event) => event === 'page:unwatch')).toHaveLength(0);
    two.unsubscribe();
    expect(sent.filter((event) => event === 'page:unwatch')).toHaveLength(1);
    // Any command is a barrier: the unwatch before it was processed when it is answered.
    await client.leavePage(page);

    const received: Counts[] = [];
    socket().on('page:count', (payload: Counts) => received.push(payload));
    const { socket: reader } = await connect(server.url);
    await request(reader, 'page:enter', { page });
    await request(reader, 'page:enter', { page: sentinel });
    // Counts of one server reach a socket in order: the sentinel's came after any of the page's.
    await next(client.pageCount$(sentinel), (value) => value.viewers === 1);
    expect(received.map((entry) => entry.page)).toEqual([sentinel]);
  });

  it('keeps the counts of a page that is also entered or watched on request', async () => {
    const { client, socket } = openClient({ url: server.url });
    await connected(client);
    const entered = key('/entered');
    const requested = key('/requested');
    await expect(client.enterPage(entered)).resolves.toEqual(counts(entered, 1, 1));
    await expect(client.watchPages([requested])).resolves.toEqual([counts(requested, 0, 0)]);
    client.pageCount$(entered).subscribe().unsubscribe();
    client.pageCount$(requested).subscribe().unsubscribe();

    const { socket: reader } = await connect(server.url);
    const enteredCount = pushed<Counts>(socket(), 'page:count', (c) => c.page === entered && c.viewers === 2);
    const requestedCount = pushed<Counts>(socket(), 'page:count', (c) => c.page === requested && c.viewers === 1);
    await request(reader, 'page:enter', { page: entered });
    await request(reader, 'page:enter', { page: requested });
    await Promise.all([enteredCount, requestedCount]);

    // Kept up to date meanwhile: a new subscriber gets the current counts at once.
    let now: Counts | undefined;
    client.pageCount$(requested).subscribe((value) => (now = value)).unsubscribe();
    expect(now).toEqual(counts(requested, 1, 1));

    await client.unwatchPages([requested]);
    await client.leavePage(entered);
    expect(await pageCount(server.url, entered)).toEqual(counts(entered, 1, 1));
  });

  it('counts the client on entered pages until it leaves them', async () => {
    const { client } = openClient({ url: server.url });
    const page = key('/read');
    // Sent once connected: commands wait for the connection.
    const entering = client.enterPage(page);
    await expect(entering).resolves.toEqual(counts(page, 1, 1));
    await expect(client.enterPage(page)).resolves.toEqual(counts(page, 1, 1));
    const updates = client.pageCount$(page);
    await expect(next(updates)).resolves.toEqual(counts(page, 1, 1));
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    await client.leavePage(page);
    await next(updates, (value) => value.viewers === 0);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
  });

  it('rejects with the ack error: BAD_REQUEST for a bad key, LIMIT_EXCEEDED past a limit', async () => {
    const { client } = openClient({ url: server.url });
    const bad = client.enterPage('bad\u0000key');
    await expect(bad).rejects.toBeInstanceOf(PresenceError);
    await expect(bad).rejects.toMatchObject({ code: 'BAD_REQUEST', name: 'PresenceError' });
    await expect(client.enterPage('')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.watchPages([])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const tooMany = Array.from({ length: 101 }, (_, i) => key(`/many-${i}`));
    await expect(client.watchPages(tooMany)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    // A refused key fails its stream with the same error.
    await expect(next(client.pageCount$(''))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

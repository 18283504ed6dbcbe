import type { PageCounts } from '@presently/protocol';
import { closeFakeClients, flush, openFakeClient, record, whenConnected } from '../test/fake-server';

const watches = (payloads: any[]) => payloads.map(({ pages, every }) => (every === undefined ? { pages } : { pages, every }));

describe('Client: pageCount$ at a rate the subscriber chooses', () => {
  afterEach(() => closeFakeClients());

  it('watches the page with the every asked for, and its counts arrive as pushed', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    const heard = record<PageCounts>(client.pageCount$('/a', { every: 5000 }));
    await flush();
    expect(watches(server.payloads('page:watch'))).toEqual([{ pages: ['/a'], every: 5000 }]);
    server.push('page:count', { page: '/a', viewers: 3, connections: 4 });
    await flush();
    expect(heard).toEqual([
      { page: '/a', viewers: 1, connections: 1 },
      { page: '/a', viewers: 3, connections: 4 },
    ]);
  });

  it('watches at the fastest rate its subscribers ask, again when that changes, and unwatches after the last', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    const slow = client.pageCount$('/a', { every: 60_000 }).subscribe();
    await flush();
    const medium = client.pageCount$('/a', { every: 5000 }).subscribe();
    await flush();
    // A slower one changes nothing.
    const slower = client.pageCount$('/a', { every: 60_000 }).subscribe();
    await flush();
    const fast = client.pageCount$('/a').subscribe();
    await flush();
    expect(watches(server.payloads('page:watch'))).toEqual([
      { pages: ['/a'], every: 60_000 },
      { pages: ['/a'], every: 5000 },
      { pages: ['/a'] },
    ]);
    fast.unsubscribe();
    await flush();
    medium.unsubscribe();
    await flush();
    slower.unsubscribe();
    await flush();
    expect(watches(server.payloads('page:watch')).slice(3)).toEqual([
      { pages: ['/a'], every: 5000 },
      { pages: ['/a'], every: 60_000 },
    ]);
    expect(server.payloads('page:unwatch')).toEqual([]);
    slow.unsubscribe();
    await flush();
    expect(server.payloads('page:unwatch')).toEqual([{ pages: ['/a'] }]);
    expect(server.payloads('page:watch')).toHaveLength(5);
  });

  it('watches a page asked for with watchPages at the server\'s own rate, and at the subscribers\' once unwatched', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    const sub = client.pageCount$('/a', { every: 10_000 }).subscribe();
    await flush();
    await client.watchPages(['/a']);
    await client.unwatchPages(['/a']);
    await flush();
    expect(watches(server.payloads('page:watch'))).toEqual([{ pages: ['/a'], every: 10_000 }, { pages: ['/a'] }, { pages: ['/a'], every: 10_000 }]);
    expect(server.payloads('page:unwatch')).toEqual([]);
    sub.unsubscribe();
  });

  it('watches again at each page\'s rate after a reconnection, pages of one rate in one request', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    const subs = [
      client.pageCount$('/a', { every: 5000 }).subscribe(),
      client.pageCount$('/b', { every: 5000 }).subscribe(),
      client.pageCount$('/c').subscribe(),
    ];
    await flush();
    server.sent.length = 0;
    server.drop();
    await whenConnected(client);
    expect(watches(server.payloads('page:watch'))).toEqual(expect.arrayContaining([{ pages: ['/a', '/b'], every: 5000 }, { pages: ['/c'] }]));
    expect(server.payloads('page:watch')).toHaveLength(2);
    for (const sub of subs) sub.unsubscribe();
  });
});

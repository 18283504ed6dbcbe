import { ANONYMOUS_ID, connect, key, request, signToken, until, useServer } from '@presently/testing';
import { createPresenceClient } from '../index';
import { CLIENT_ID_KEY } from '../lib/client-id';
import type { ClientIdStorage, ConnectionState } from '../lib/types';
import { closeClients, connected, next, openClient, recordValues } from '../test/support';

const SECRET = 'client-e2e-secret-0123456789abcdef';

class MemoryStorage implements ClientIdStorage {
  readonly items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, value: string) {
    this.items.set(k, value);
  }
}

describe('sessions, tokens and the connection', () => {
  const server = useServer({ JWT_SECRET: SECRET, COUNT_INTERVAL_MS: '20', GRACE_MS: '300' });
  afterEach(() => closeClients());

  it('keeps the clientId the server assigns and sends it again; a given clientId wins; works without storage', async () => {
    const storage = new MemoryStorage();
    const { client: first } = openClient({ url: server.url, storage });
    const session = await next(first.session$);
    // Anonymous: a public userId derived from the clientId, which stays this browser's own.
    expect(session).toMatchObject({ userId: expect.stringMatching(ANONYMOUS_ID), name: null, roles: [] });
    expect(session.userId).not.toBe(session.clientId);
    expect(storage.items.get(CLIENT_ID_KEY)).toBe(session.clientId);

    const { client: second } = openClient({ url: server.url, storage });
    const again = await next(second.session$);
    expect(again.clientId).toBe(session.clientId);
    expect(again.userId).toBe(session.userId);

    const { client: given } = openClient({ url: server.url, storage, clientId: 'given-client-id' });
    expect((await next(given.session$)).clientId).toBe('given-client-id');

    // The default client: no localStorage in Node.
    const client = createPresenceClient({ url: server.url, transports: ['websocket'] });
    try {
      expect((await next(client.session$)).clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    } finally {
      client.close();
    }
  });

  it('goes connecting, then connected; a late subscriber gets the state at once', async () => {
    const { client } = openClient({ url: server.url });
    const states = recordValues<ConnectionState>(client.connectionState$);
    await connected(client);
    expect(states).toEqual(['connecting', 'connected']);
    let late: ConnectionState | undefined;
    client.connectionState$.subscribe((state) => (late = state)).unsubscribe();
    expect(late).toBe('connected');
  });

  it('asks a token function at every handshake', async () => {
    let asked = 0;
    const { client } = openClient({
      url: server.url,
      token: async () => {
        asked += 1;
        return signToken(SECRET, { sub: 'ada', name: 'Ada Lovelace', roles: ['staff'] }, { expiresIn: '1h' });
      },
    });
    expect(await next(client.session$)).toMatchObject({ userId: 'ada', name: 'Ada Lovelace', roles: ['staff'] });
    await expect(client.join('private:staff')).resolves.toMatchObject({ self: { userId: 'ada', name: 'Ada Lovelace' } });
    client.reconnect();
    await next(client.session$, (session) => session.serverTime > 0 && asked === 2);
    expect(asked).toBe(2);
    // The room came back on the new socket.
    await connected(client);
    expect((await next(client.room('private:staff').members$)).map((m) => m.userId)).toEqual(['ada']);
  });

  it('goes offline on UNAUTHORIZED and rejects commands with it; reconnect() with a good token recovers', async () => {
    let token = 'not-a-jwt';
    const { client } = openClient({ url: server.url, token: () => token });
    const waiting = client.enterPage(key('/refused'));
    await next(client.connectionState$, (state) => state === 'offline');
    await expect(waiting).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(client.join(key('refused'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    token = await signToken(SECRET, { sub: 'bob' }, { expiresIn: '1h' });
    client.reconnect?.();
    await connected(client);
    expect((await next(client.session$)).userId).toBe('bob');
    await expect(client.enterPage(key('/accepted'))).resolves.toMatchObject({ viewers: 1 });
  });

  it('watches the stats while subscribed', async () => {
    const { client, sent } = openClient({ url: server.url });
    const page = key('/popular');
    const held = client.stats$.subscribe();
    const first = await next(client.stats$);
    expect(first).toEqual({ online: { connections: expect.any(Number), visitors: expect.any(Number) }, top: expect.any(Array) });
    const { socket: reader } = await connect(server.url);
    await request(reader, 'page:enter', { page });
    await next(client.stats$, (stats) => stats.top.some((top) => top.page === page), 10_000);
    expect(sent.filter((event) => event.startsWith('stats:'))).toEqual(['stats:watch']);
    held.unsubscribe();
    expect(sent.filter((event) => event.startsWith('stats:'))).toEqual(['stats:watch', 'stats:unwatch']);
  });

  it('close() completes every stream and rejects commands with DISCONNECTED', async () => {
    const { client } = openClient({ url: server.url });
    await connected(client);
    const completed: string[] = [];
    const done = (name: string) => ({ complete: () => completed.push(name) });
    const states = recordValues(client.connectionState$);
    client.connectionState$.subscribe(done('state'));
    client.session$.subscribe(done('session'));
    client.pageCount$(key('/closing')).subscribe(done('page'));
    client.stats$.subscribe(done('stats'));
    client.room(key('closing')).members$.subscribe(done('members'));
    client.room(key('closing')).events$.subscribe(done('events'));
    client.on$('news').subscribe(done('news'));
    const pending = client.enterPage(key('/closing'));
    client.close();
    expect(states[states.length - 1]).toBe('offline');
    expect(completed.sort()).toEqual(['events', 'members', 'news', 'page', 'session', 'state', 'stats']);
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(client.join(key('closed'))).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('close() leaves no timer behind, even while it was retrying', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    // Nothing listens on port 1: the client keeps retrying.
    const { client } = openClient({ url: 'http://127.0.0.1:1' });
    await until(() => timers() > before, 'the client retries');
    client.close();
    expect(timers()).toBe(before);
  });
});

import type { Member } from '@presently/protocol';
import { closeAll, connect, key, pageCount, request, restartServer, startServer, type RunningServer } from '@presently/testing';
import { filter, firstValueFrom, skipWhile, timeout } from 'rxjs';
import type { Client } from '../lib/presence-client';
import type { ConnectionState } from '../lib/types';
import { closeClients, connected, next, openClient, pushed, recordValues } from '../test/support';

type Counts = { page: string; viewers: number; connections: number; active: number };
const ENV = { COUNT_INTERVAL_MS: '20', GRACE_MS: '5000', POLLS: 'restart-poll' };
const names = (members: readonly Member[]) => members.map((m) => `${m.name}:${m.status}`).sort();

/** Resolves when `client` has dropped its connection and restored everything on a new one. */
function back(client: Client, ms = 20_000): Promise<ConnectionState> {
  return firstValueFrom(
    client.connectionState$.pipe(
      skipWhile((state) => state !== 'reconnecting'),
      filter((state) => state === 'connected'),
      timeout(ms),
    ),
  );
}

describe('reconnection', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(ENV);
  });
  afterEach(() => {
    closeClients();
    closeAll();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('restores entered pages, watched pages and joined rooms after the server restarts, and resyncs the members', async () => {
    const { client: ada, socket } = openClient({ url: server.url });
    const { client: bob } = openClient({ url: server.url });
    const entered = key('/restart/entered');
    const watched = key('/restart/watched');
    const requested = key('/restart/requested');
    const room = key('restart-room');
    const states = recordValues(ada.connectionState$);
    const reasons: string[] = [];
    socket().on('disconnect', (reason: string) => reasons.push(reason));

    await ada.enterPage(entered);
    const watchedCounts = recordValues<Counts>(ada.pageCount$(watched));
    await ada.watchPages([requested]);
    await ada.join(room, { name: 'Ada', status: 'busy' });
    await bob.join(room, { name: 'Bob' });
    const poll = 'restart-poll';
    const tallies = recordValues(ada.poll(poll).tallies$);
    await next(ada.poll(poll).tallies$);
    await bob.poll(poll).vote('red');
    await next(ada.poll(poll).tallies$, (t) => t.tallies['red'] === 1);
    ada.stats$.subscribe();
    // A visitor that will not come back (no reconnection): the restarted server never hears of it.
    const { socket: gone } = await connect(server.url);
    await request(gone, 'room:join', { room, profile: { name: 'Gone' } });
    const members = ada.room(room).members$;
    await next(members, (m) => m.length === 3);
    const firstSession = await next(ada.session$);

    const adaBack = back(ada);
    const bobBack = back(bob);
    server = await restartServer(server);
    await Promise.all([adaBack, bobBack]);

    // SIGTERM closes the transport; Socket.IO reconnects by itself.
    expect(reasons).toEqual(['transport close']);
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect((await next(ada.session$, (s) => s !== firstSession)).clientId).toBe(firstSession.clientId);
    // `connected` comes once everything is restored.
    expect(await pageCount(server.url, entered)).toEqual({ page: entered, viewers: 1, connections: 1, active: 1 });
    expect(names(await next(members, (m) => m.length === 2))).toEqual(['Ada:busy', 'Bob:online']);

    const { socket: reader } = await connect(server.url);
    const requestedCount = pushed<Counts>(socket(), 'page:count', (c) => c.page === requested && c.viewers === 1);
    await request(reader, 'page:enter', { page: watched });
    await request(reader, 'page:enter', { page: requested });
    await next(ada.pageCount$(watched), (c) => c.viewers === 1);
    await requestedCount;
    expect(watchedCounts.map((c) => c.viewers)).toEqual([0, 1]);
    // Polls and stats are watched again too (the new server's tallies start afresh).
    await bob.poll(poll).vote('blue');
    await next(ada.poll(poll).tallies$, (t) => t.tallies['blue'] === 1);
    expect(tallies.map((t) => t.tallies)).toEqual([{}, { red: 1 }, {}, { blue: 1 }]);
    await next(ada.stats$, (stats) => stats.top.some((top) => top.page === watched), 10_000);
  });

  it('reconnects by itself after a server-side disconnect, where Socket.IO would not', async () => {
    const { client, socket } = openClient({ url: server.url });
    const page = key('/kicked');
    const room = key('kicked-room');
    await client.enterPage(page);
    const { self } = await client.join(room, { name: 'Kim' });
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const reasons: string[] = [];
    socket().on('disconnect', (reason: string) => reasons.push(reason));
    const returned = back(client);

    // The server has no trigger for `socket.disconnect()`; this is the packet
    // such a call sends, delivered the way Socket.IO delivers it.
    (socket() as unknown as { onpacket(packet: { type: number; nsp: string }): void }).onpacket({ type: 1, nsp: '/presence' });
    expect(reasons).toEqual(['io server disconnect']);
    expect(socket().active).toBe(false);

    await returned;
    expect(socket().active).toBe(true);
    expect(await pageCount(server.url, page)).toEqual({ page, viewers: 1, connections: 1, active: 1 });
    const { members } = await request<{ members: Member[] }>(observer, 'room:join', { room });
    expect(members.map((m) => m.userId)).toContain(self.userId);
  });

  it('holds commands while the server is down and sends them once it is back, after the restore', async () => {
    const { client } = openClient({ url: server.url });
    const before = key('/before');
    const during = key('/during');
    const room = key('down-room');
    await client.enterPage(before);
    await connected(client);
    const port = server.port;
    await server.stop();
    await next(client.connectionState$, (state) => state === 'reconnecting');

    const entering = client.enterPage(during);
    const joining = client.join(room, { name: 'Patient' });
    const leaving = client.leavePage(before);
    server = await startServer({ ...ENV, PORT: String(port) });

    await expect(entering).resolves.toEqual({ page: during, viewers: 1, connections: 1, active: 1 });
    await expect(joining).resolves.toMatchObject({ room, members: [{ name: 'Patient' }] });
    await leaving;
    await connected(client);
    expect(await pageCount(server.url, during)).toEqual({ page: during, viewers: 1, connections: 1, active: 1 });
    expect(await pageCount(server.url, before)).toEqual({ page: before, viewers: 0, connections: 0, active: 0 });
  });
});

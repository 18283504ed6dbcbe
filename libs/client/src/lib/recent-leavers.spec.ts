import type { RecentLeaver } from '@presently/protocol';
import { firstValueFrom } from 'rxjs';
import { closeFakeClients, deferred, flush, member, openFakeClient, record, whenConnected } from '../test/fake-server';

const SERVER_TIME = 1_000_000_000_000;
const WINDOW_MS = 600_000;
const leaver = (userId: string, leftAt: number, duration = 60_000): RecentLeaver => ({ userId, name: userId.toUpperCase(), leftAt, duration });

describe('Client: who just left (recent$)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'], now: 5_000 }));
  afterEach(() => {
    closeFakeClients();
    jest.useRealTimers();
  });

  /** A client in `lobby` with Bob and Cy, on a server whose clock is far from this machine's. */
  async function inLobby(recent: RecentLeaver[] = [leaver('dan', SERVER_TIME - 120_000)]) {
    const opened = openFakeClient({ recentMs: WINDOW_MS });
    const { client, server } = opened;
    server.session = { ...server.session, serverTime: SERVER_TIME };
    server.answer('room:join', ({ room }, s) => {
      const members = [member(s.session.userId), member('bob', { name: 'Bob' }), member('cy', { name: 'Cy' })];
      return { ok: true, room, self: members[0], members, total: 3 };
    });
    server.answer('room:recent', ({ room }) => ({ ok: true, room, recent }));
    await whenConnected(client);
    const room = client.room('lobby');
    await room.join();
    return { ...opened, room };
  }

  it('asks on subscribe, then adds who leaves from the event alone, named as the list knew them, at the server\'s time', async () => {
    const { client, server, room } = await inLobby();
    expect(server.payloads('room:recent')).toEqual([]);
    const values = record(room.recent$);
    await flush();
    expect(server.payloads('room:recent')).toEqual([{ room: 'lobby' }]);
    expect(values).toEqual([[leaver('dan', SERVER_TIME - 120_000)]]);
    jest.advanceTimersByTime(30_000);
    server.push('room:left', { room: 'lobby', userId: 'bob', reason: 'leave', duration: 90_000 });
    expect(client.serverNow()).toBe(SERVER_TIME + 30_000);
    expect(values.at(-1)).toEqual([{ userId: 'bob', name: 'Bob', leftAt: SERVER_TIME + 30_000, duration: 90_000 }, leaver('dan', SERVER_TIME - 120_000)]);
    // Back: no longer a recent leaver.
    server.push('room:joined', { room: 'lobby', member: member('dan') });
    expect(values.at(-1)!.map((l) => l.userId)).toEqual(['bob']);
    await flush();
    expect(server.payloads('room:recent')).toHaveLength(1);
    // A leave it cannot describe (no duration: a v1 server) asks again.
    server.push('room:left', { room: 'lobby', userId: 'cy', reason: 'leave' });
    await flush();
    expect(server.payloads('room:recent')).toHaveLength(2);
    // So does a room:sync: a hidden tab shown again heard no leaves meanwhile.
    server.push('room:sync', { room: 'lobby', members: [member('a_anonymous')], total: 1, typing: [] });
    await flush();
    expect(server.payloads('room:recent')).toHaveLength(3);
  });

  it('keeps a leave that came while its request was on its way (the answer may have been read before it)', async () => {
    const { server, room } = await inLobby();
    const answer = deferred<unknown>();
    server.answer('room:recent', () => answer.promise);
    const values = record(room.recent$);
    server.push('room:left', { room: 'lobby', userId: 'bob', reason: 'disconnect', duration: 1000 });
    expect(values).toEqual([]);
    answer.resolve({ ok: true, room: 'lobby', recent: [leaver('dan', SERVER_TIME - 1000)] });
    await flush();
    expect(values.at(-1)!.map((l) => l.userId)).toEqual(['bob', 'dan']);
  });

  it('drops entries once they are older than the server\'s window, with one timer', async () => {
    const { room } = await inLobby([leaver('dan', SERVER_TIME - WINDOW_MS + 10_000), leaver('eve', SERVER_TIME - WINDOW_MS + 20_000)].reverse());
    const values = record(room.recent$);
    await flush();
    expect(values.at(-1)!.map((l) => l.userId)).toEqual(['eve', 'dan']);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(9_999);
    expect(values.at(-1)!.map((l) => l.userId)).toEqual(['eve', 'dan']);
    jest.advanceTimersByTime(1);
    expect(values.at(-1)!.map((l) => l.userId)).toEqual(['eve']);
    jest.advanceTimersByTime(10_000);
    expect(values.at(-1)).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('asks again on a new socket, stops following once unsubscribed, and fails with the server\'s refusal', async () => {
    const { client, server, room } = await inLobby();
    const subscription = room.recent$.subscribe();
    await flush();
    server.drop();
    await whenConnected(client);
    expect(server.payloads('room:recent')).toHaveLength(2);
    subscription.unsubscribe();
    server.drop();
    await whenConnected(client);
    expect(server.payloads('room:recent')).toHaveLength(2);

    server.answer('room:recent', () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'not for you' } }));
    await expect(firstValueFrom(client.room('private:staff').recent$)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

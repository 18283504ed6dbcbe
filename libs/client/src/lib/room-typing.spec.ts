import { firstValueFrom } from 'rxjs';
import { closeFakeClients, flush, member, openFakeClient, record, whenConnected } from '../test/fake-server';
import type { RoomEvent } from './types';

describe('Client: who is typing', () => {
  afterEach(() => closeFakeClients());

  async function joined() {
    const opened = openFakeClient();
    const { client, server } = opened;
    await whenConnected(client);
    server.answer('room:join', ({ room }, s) => ({
      ok: true,
      room,
      self: member(s.session.userId),
      members: [member(s.session.userId), member('bob'), member('cy')],
      total: 3,
      typing: ['bob', s.session.userId],
    }));
    const room = client.room('lobby');
    const typing = record(room.typing$);
    await room.join();
    return { ...opened, room, typing };
  }

  it('starts from the join answer, then follows room:typing; a member who leaves stops', async () => {
    const { server, room, typing } = await joined();
    expect(typing.at(-1)).toEqual(['bob']);
    server.push('room:typing', { room: 'lobby', userId: 'cy', typing: true });
    server.push('room:typing', { room: 'other', userId: 'dan', typing: true });
    server.push('room:typing', { room: 'lobby', userId: 'bob', typing: false });
    expect(typing.at(-1)).toEqual(['cy']);
    server.push('room:left', { room: 'lobby', userId: 'cy', reason: 'disconnect', duration: 5 });
    expect(typing.at(-1)).toEqual([]);
    server.push('room:typing', { room: 'lobby', userId: 'bob', typing: true });
    // Signed in as someone else: the old id is gone, and no longer typing.
    server.push('room:updated', { room: 'lobby', member: member('u_bob'), previousUserId: 'bob' });
    expect(typing.at(-1)).toEqual([]);
    expect(typing).toEqual([[], ['bob'], ['bob', 'cy'], ['cy'], [], ['bob'], []]);
    expect(await firstValueFrom(room.typing$)).toEqual([]);
  });

  it('is reset by a rejoin and by room:sync, emptied while the room is large and when not a member', async () => {
    const { client, server, room, typing } = await joined();
    server.push('room:typing', { room: 'lobby', userId: 'cy', typing: true });
    server.drop();
    await whenConnected(client);
    expect(typing.at(-1)).toEqual(['bob']);
    server.push('room:count', { room: 'lobby', total: 1200 });
    expect(typing.at(-1)).toEqual([]);
    server.push('room:sync', { room: 'lobby', members: [member('a_anonymous'), member('cy')], total: 2, typing: ['cy'] });
    expect(typing.at(-1)).toEqual(['cy']);
    expect(await firstValueFrom(room.total$)).toBe(2);
    await room.leave();
    expect(typing.at(-1)).toEqual([]);
    server.push('room:typing', { room: 'lobby', userId: 'bob', typing: true });
    expect(typing.at(-1)).toEqual([]);
  });

  describe('typing(room)', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
    afterEach(() => jest.useRealTimers());

    const sentTyping = (server: { payloads(event: string): Array<{ typing: boolean }> }) => server.payloads('room:typing').map((p) => p.typing);

    it('sends typing while the user types, renews it, and stops by itself after a pause', async () => {
      const { client, server } = openFakeClient({ typing: { renewMs: 3000, stopAfterMs: 4000 } });
      await whenConnected(client);
      client.typing('lobby');
      expect(sentTyping(server)).toEqual([]);
      await client.join('lobby');
      client.typing('lobby');
      expect(server.payloads('room:typing')).toEqual([{ room: 'lobby', typing: true }]);
      for (let i = 0; i < 35; i++) {
        jest.advanceTimersByTime(100);
        client.room('lobby').typing();
      }
      expect(sentTyping(server)).toEqual([true, true]);
      jest.advanceTimersByTime(4000);
      expect(sentTyping(server)).toEqual([true, true, false]);
      client.typing('lobby');
      client.stopTyping('lobby');
      expect(sentTyping(server)).toEqual([true, true, false, true, false]);
      await flush();
    });

    it('sends no stop after a leave (the server ends it), and sends at once on a new socket', async () => {
      const { client, server } = openFakeClient();
      await whenConnected(client);
      await client.join('lobby');
      client.typing('lobby');
      await client.leave('lobby');
      jest.advanceTimersByTime(10_000);
      expect(sentTyping(server)).toEqual([true]);
      await client.join('lobby');
      client.typing('lobby');
      server.drop();
      await whenConnected(client);
      jest.advanceTimersByTime(100);
      client.typing('lobby');
      expect(sentTyping(server)).toEqual([true, true, true]);
      expect(server.events().lastIndexOf('room:join')).toBeLessThan(server.events().lastIndexOf('room:typing'));
      expect(jest.getTimerCount()).toBe(1);
      client.close();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

describe('Client: a member replaced by a sign-in or sign-out (room:updated with previousUserId)', () => {
  afterEach(() => closeFakeClients());

  it('puts the new member in the old one\'s place and tells events$', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    server.answer('room:join', ({ room }, s) => {
      const members = [member('ada'), member(s.session.userId), member('cy')];
      return { ok: true, room, self: members[1], members, total: 3 };
    });
    const room = client.room('lobby');
    const events = record<RoomEvent>(room.events$);
    await room.join();
    const signedIn = member('u_ada', { name: 'Ada Lovelace', activity: 'idle' });
    server.push('room:updated', { room: 'lobby', member: signedIn, previousUserId: 'ada' });
    expect((await firstValueFrom(room.members$)).map((m) => m.userId)).toEqual(['u_ada', 'a_anonymous', 'cy']);
    expect(events).toEqual([{ type: 'updated', room: 'lobby', member: signedIn, previousUserId: 'ada' }]);
    expect(await firstValueFrom(room.total$)).toBe(3);
  });
});

describe('Client: autoConnect false', () => {
  afterEach(() => closeFakeClients());

  it('makes no connection until reconnect(); commands wait meanwhile', async () => {
    const { client, server } = openFakeClient({ autoConnect: false });
    const entering = client.enterPage('/a');
    await flush();
    expect(server.handshakes).toEqual([]);
    expect(server.sent).toEqual([]);
    client.reconnect();
    await whenConnected(client);
    await expect(entering).resolves.toMatchObject({ page: '/a' });
  });
});

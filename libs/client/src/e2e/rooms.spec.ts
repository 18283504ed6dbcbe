import type { Member } from '@presently/protocol';
import { connect, get, key, post, request, useServer } from '@presently/testing';
import { PresenceError } from '../lib/presence-error';
import type { RoomEvent } from '../lib/types';
import { closeClients, connected, next, openClient, recordValues } from '../test/support';

const names = (members: readonly Member[]) => members.map((m) => `${m.name}:${m.status}`);

describe('rooms', () => {
  const API_KEY = 'rooms-spec-key-0123456789';
  const server = useServer({ COUNT_INTERVAL_MS: '20', GRACE_MS: '300', MAX_ROOMS_PER_SOCKET: '2', API_KEY });
  afterEach(() => closeClients());

  it('keeps members$ in sync from the join ack and the pushes, with a new array on every change', async () => {
    const { client: ada } = openClient({ url: server.url });
    const { client: bob } = openClient({ url: server.url });
    const name = key('lobby');
    const room = ada.room(name);
    expect(ada.room(name)).toBe(room);
    const lists = recordValues(room.members$);
    const events = recordValues<RoomEvent>(room.events$);
    expect(lists).toEqual([[]]);

    const joined = await room.join({ name: 'Ada' });
    expect(names(joined.members)).toEqual(['Ada:online']);
    expect(joined.self).toMatchObject({ name: 'Ada', status: 'online', connections: 1 });
    const afterJoin = lists[lists.length - 1];
    const snapshot = JSON.stringify(afterJoin);

    await bob.join(name, { name: 'Bob', status: 'away' });
    await next(room.members$, (m) => names(m).join() === 'Ada:online,Bob:away');
    await bob.updateProfile(name, { status: 'busy' });
    await next(room.members$, (m) => names(m).join() === 'Ada:online,Bob:busy');
    // The server does not echo one's own change: the update ack is applied.
    const self = await room.update({ status: 'away', meta: { typing: true } });
    expect(self).toMatchObject({ name: 'Ada', status: 'away', meta: { typing: true } });
    expect(names(await next(room.members$))).toEqual(['Ada:away', 'Bob:busy']);
    await bob.leave(name);
    await next(room.members$, (m) => m.length === 1);

    expect(events.map((e) => e.type)).toEqual(['joined', 'updated', 'left']);
    // `duration` comes from servers of protocol 1.1.
    expect(events[2]).toMatchObject({ type: 'left', room: name, userId: expect.any(String), reason: 'leave' });
    expect(lists.map(names)).toEqual([[], ['Ada:online'], ['Ada:online', 'Bob:away'], ['Ada:online', 'Bob:busy'], ['Ada:away', 'Bob:busy'], ['Ada:away']]);
    // Never mutated: every list is a new frozen array, and old ones are as they were.
    expect(JSON.stringify(afterJoin)).toBe(snapshot);
    expect(new Set(lists).size).toBe(lists.length);
    expect(lists.every((list) => Object.isFrozen(list))).toBe(true);
    // A late subscriber gets the current list at once.
    let late: readonly Member[] | undefined;
    room.members$.subscribe((members) => (late = members)).unsubscribe();
    expect(late).toBe(lists[lists.length - 1]);

    await room.leave();
    expect(await next(room.members$)).toEqual([]);
    const http = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(name)}`);
    expect(http.body.members).toEqual([]);
  });

  it('sees other users arrive through room:joined and leave on disconnect', async () => {
    const { client } = openClient({ url: server.url });
    const name = key('arrivals');
    await client.join(name, { name: 'Host' });
    const { socket: guest, session } = await connect(server.url);
    await request(guest, 'room:join', { room: name, profile: { name: 'Guest' } });
    const withGuest = await next(client.room(name).members$, (m) => m.length === 2);
    expect(withGuest[1]).toMatchObject({ userId: session.userId, name: 'Guest' });
    guest.disconnect();
    const left = await next(client.room(name).events$, (e) => e.type === 'left');
    expect(left).toMatchObject({ type: 'left', room: name, userId: session.userId, reason: 'disconnect' });
    expect(names(await next(client.room(name).members$))).toEqual(['Host:online']);
  });

  it('rejects with the ack error: FORBIDDEN for a private room, BAD_REQUEST for bad input', async () => {
    const { client } = openClient({ url: server.url });
    const forbidden = client.join('private:x');
    await expect(forbidden).rejects.toBeInstanceOf(PresenceError);
    await expect(forbidden).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(client.join('role:admin')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(client.updateProfile(key('not-joined'), { status: 'busy' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.join(key('long'), { name: 'x'.repeat(65) })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // A refused join leaves no trace: the list stays empty.
    expect(await next(client.room('private:x').members$)).toEqual([]);
  });

  it('rejects with LIMIT_EXCEEDED past the rooms per socket', async () => {
    const { client } = openClient({ url: server.url });
    await connected(client);
    const joins = Array.from({ length: 3 }, (_, i) => client.join(key(`limited-${i}`)).then(() => 'ok', (e: PresenceError) => e.code));
    // This server allows 2 rooms per socket.
    expect(await Promise.all(joins)).toEqual(['ok', 'ok', 'LIMIT_EXCEEDED']);
  });

  it('leaves a room the application removed it from, and does not join it again on reconnection', async () => {
    const { client: ada, socket } = openClient({ url: server.url });
    const { client: bob } = openClient({ url: server.url });
    const name = key('moderated');
    const room = ada.room(name);
    const events = recordValues<RoomEvent>(room.events$);
    const { self } = await room.join({ name: 'Ada' });
    await bob.join(name, { name: 'Bob' });
    await next(room.members$, (m) => m.length === 2);
    const bobSawLeave = next(bob.room(name).events$, (e) => e.type === 'left');
    const removed = next(room.events$, (e) => e.type === 'removed');

    const answer = await post(server.url, '/api/disconnect', { userId: self.userId, room: name }, { 'x-api-key': API_KEY });
    expect(answer).toMatchObject({ status: 200, body: { ok: true, removed: 1 } });
    expect(await removed).toEqual({ type: 'removed', room: name, reason: 'moderation' });
    expect(await next(room.members$)).toEqual([]);
    expect(await next(room.total$)).toBe(0);
    expect(await bobSawLeave).toMatchObject({ type: 'left', room: name, userId: self.userId, reason: 'leave' });

    // A new socket restores what the client is in: the room is no longer among it.
    socket().io.engine.close();
    await next(ada.connectionState$, (state) => state === 'reconnecting');
    await connected(ada);
    const listed = (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(name)}`)).body.members.map((m: Member) => m.name);
    expect(listed).toEqual(['Bob']);
    expect(events.map((e) => e.type)).toEqual(['joined', 'removed']);

    // Removed is not banned: it may join again.
    await expect(room.join({ name: 'Ada' })).resolves.toMatchObject({ room: name, total: 2 });
  });
});

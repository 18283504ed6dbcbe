import type { Member, Session } from '@presently/protocol';
import { firstValueFrom } from 'rxjs';
import { closeFakeClients, deferred, flush, member, openFakeClient, record, whenConnected } from '../test/fake-server';
import type { RoomEvent } from './types';

const unauthorized = { ok: false, error: { code: 'UNAUTHORIZED', message: 'bad token' } };
const userIds = (members: readonly Member[]) => members.map((m) => m.userId);

describe('Client: signing in and out without reconnecting', () => {
  afterEach(() => closeFakeClients());

  it('signs in: one new session, the rooms the new identity may not be in removed, the others joined again under it', async () => {
    let asked = 0;
    const { client, server } = openFakeClient({ token: () => (asked++, null) });
    await whenConnected(client);
    await client.join('lobby', { name: 'Ada' });
    await client.join('private:team');
    const sessions = record<Session>(client.session$);
    const teamEvents = record<RoomEvent>(client.room('private:team').events$);
    server.answer('session:token', (_payload, s) => {
      const session = { ...s.session, userId: 'ada', name: 'Ada Lovelace' };
      s.session = session;
      s.push('session', session);
      return { ok: true, session, left: ['private:team'] };
    });
    server.sent.length = 0;

    const session = await client.setToken('guest-token');
    expect(session.userId).toBe('ada');
    expect(sessions.map((s) => s.userId)).toEqual(['a_anonymous', 'ada']);
    expect(server.sent).toEqual([
      { event: 'session:token', payload: { token: 'guest-token' } },
      { event: 'room:join', payload: { room: 'lobby', profile: { name: 'Ada' } } },
    ]);
    // Resolved once the list shows the new identity.
    expect(userIds(await firstValueFrom(client.room('lobby').members$))).toEqual(['ada']);
    expect(teamEvents).toEqual([{ type: 'removed', room: 'private:team', reason: 'identity' }]);
    expect(await firstValueFrom(client.room('private:team').members$)).toEqual([]);

    // A drop: the handshake carries the token set, the function is not asked, the room left stays left.
    server.sent.length = 0;
    server.drop();
    await whenConnected(client);
    expect(server.handshakes.at(-1)).toMatchObject({ token: 'guest-token' });
    expect(asked).toBe(1);
    expect(server.payloads('room:join').map((p) => p.room)).toEqual(['lobby']);

    // An explicit reconnect() asks the function again.
    client.reconnect();
    await whenConnected(client);
    expect(asked).toBe(2);
    expect(server.handshakes.at(-1)).not.toHaveProperty('token');
  });

  it('signs out: token null, anonymous again, and the next handshake sends no token', async () => {
    const { client, server } = openFakeClient({ token: 'ada-token' });
    await whenConnected(client);
    expect(server.handshakes.at(-1)).toMatchObject({ token: 'ada-token' });
    const session = await client.signOut();
    expect(server.payloads('session:token')).toEqual([{ token: null }]);
    expect(session.userId).toBe('a_anonymous');
    server.drop();
    await whenConnected(client);
    expect(server.handshakes.at(-1)).not.toHaveProperty('token');
  });

  it('rejects UNAUTHORIZED and changes nothing', async () => {
    const { client, server } = openFakeClient({ token: 'ada-token' });
    await whenConnected(client);
    await client.join('lobby');
    const sessions = record<Session>(client.session$);
    const events = record<RoomEvent>(client.room('lobby').events$);
    server.answer('session:token', () => unauthorized);
    server.sent.length = 0;
    await expect(client.setToken('expired')).rejects.toMatchObject({ name: 'PresenceError', code: 'UNAUTHORIZED' });
    await flush();
    expect(server.events()).toEqual(['session:token']);
    expect(sessions.map((s) => s.userId)).toEqual(['u:ada-token']);
    expect(events).toEqual([]);
    expect(userIds(await firstValueFrom(client.room('lobby').members$))).toEqual(['u:ada-token']);
    server.drop();
    await whenConnected(client);
    expect(server.handshakes.at(-1)).toMatchObject({ token: 'ada-token' });
    expect(await firstValueFrom(client.connectionState$)).toBe('connected');
  });

  it('sends it again on the next connection when the connection drops before the answer', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    const never = deferred<unknown>();
    server.answer('session:token', () => never.promise);
    const signingIn = client.setToken('bob-token');
    await flush();
    server.answer('session:token', ({ token }, s) => {
      const session = { ...s.session, userId: `u:${token}` };
      s.push('session', session);
      return { ok: true, session, left: [] };
    });
    // The handshake still sends the old identity: the server had not accepted the new one.
    server.drop();
    await expect(signingIn).resolves.toMatchObject({ userId: 'u:bob-token' });
    expect(server.handshakes.map((h) => h.token)).toEqual([undefined, undefined]);
    expect(server.payloads('session:token')).toEqual([{ token: 'bob-token' }, { token: 'bob-token' }]);
  });

  it('is not fooled by its own entry: typing and self follow the new userId', async () => {
    const { client, server } = openFakeClient();
    await whenConnected(client);
    server.answer('room:join', ({ room }, s) => ({
      ok: true,
      room,
      self: member(s.session.userId),
      members: [member(s.session.userId), member('bob')],
      total: 2,
      typing: [s.session.userId, 'bob'],
    }));
    await client.join('lobby');
    expect(await firstValueFrom(client.room('lobby').typing$)).toEqual(['bob']);
    await client.setToken('cy');
    expect(await firstValueFrom(client.room('lobby').typing$)).toEqual(['bob']);
    expect(userIds(await firstValueFrom(client.room('lobby').members$))).toEqual(['u:cy', 'bob']);
  });
});

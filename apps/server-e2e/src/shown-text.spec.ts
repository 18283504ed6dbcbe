import { clientId, connect, connectError, get, key, record, request, useServer, userToken, waitFor } from '@presently/testing';

/**
 * Names and statuses are shown to everyone in a room, so they may not make a
 * list lie about who is there: bidi controls, line and paragraph separators
 * and text that is blank once its invisible characters are removed are
 * refused (`BAD_REQUEST`, nothing changes); names and statuses are taken in
 * NFC, so an update that differs only in normalisation is no change. A
 * token's `name` claim follows the same rules (a bad one is `UNAUTHORIZED`).
 */

const SECRET = 'shown-text-e2e-secret-0123456789abcdef';

type Member = { userId: string; name: string; status: string };
type MemberEvent = { room: string; member: Member };

const BAD_REQUEST = { ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } };

/** Names and statuses that would reorder, break or blank a list entry. */
const LYING = [
  ['a right-to-left override', 'nimdA\u202e'],
  ['a left-to-right embedding', '\u202aAda'],
  ['a first-strong isolate', 'Ada\u2068 (admin)'],
  ['a pop directional isolate', 'Ada\u2069'],
  ['a line separator', 'Ada\u2028Admin'],
  ['a paragraph separator', 'Ada\u2029'],
  ['zero-width spaces only', '\u200b\u200b\u200b'],
  ['a zero-width joiner among spaces', ' \u200d '],
  ['ideographic spaces only', '\u3000\u3000'],
  ['Hangul fillers only', '\u3164\u3164'],
] as const;

describe('text shown to others (names, statuses)', () => {
  const server = useServer({ JWT_SECRET: SECRET });

  const members = async (room: string): Promise<Member[]> => (await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body.members;

  it('refuses a join whose name or status would lie, with BAD_REQUEST, and nobody joins', async () => {
    const room = key('shown-join');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const joined = record<MemberEvent>(observer, 'room:joined');
    const { socket: mallory } = await connect(server.url);
    for (const [label, text] of LYING) {
      for (const field of ['name', 'status']) {
        const ack = await request(mallory, 'room:join', { room, profile: { [field]: text } });
        expect({ label, field, ack }).toEqual({ label, field, ack: BAD_REQUEST });
      }
    }
    expect(await members(room)).toHaveLength(1);
    // Barrier: an honest join is the first room:joined the observer hears.
    const honest = waitFor<MemberEvent>(observer, 'room:joined');
    const ack = await request(mallory, 'room:join', { room, profile: { name: 'Mallory' } });
    expect(await honest).toEqual({ room, member: ack.self });
    expect(joined).toEqual([{ room, member: ack.self }]);
  });

  it('refuses an update whose name or status would lie, and keeps the profile', async () => {
    const room = key('shown-update');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const { socket: mallory } = await connect(server.url);
    const joinAck = await request(mallory, 'room:join', { room, profile: { name: 'Mallory', status: 'online' } });
    const updated = record<MemberEvent>(observer, 'room:updated');
    for (const [label, text] of LYING) {
      for (const field of ['name', 'status']) {
        const ack = await request(mallory, 'room:update', { room, profile: { [field]: text, meta: { tried: label } } });
        expect({ label, field, ack }).toEqual({ label, field, ack: BAD_REQUEST });
      }
    }
    const real = waitFor<MemberEvent>(observer, 'room:updated');
    const busyAck = await request(mallory, 'room:update', { room, profile: { status: 'busy' } });
    expect(busyAck.self).toEqual({ ...joinAck.self, status: 'busy' });
    expect(await real).toEqual({ room, member: busyAck.self });
    expect(updated).toHaveLength(1);
  });

  it('takes names and statuses in NFC: an update that differs only in normalisation announces nothing', async () => {
    const room = key('shown-nfc');
    const { socket: observer } = await connect(server.url);
    await request(observer, 'room:join', { room });
    const { socket: adele } = await connect(server.url);
    const decomposed = { name: 'Ade\u0301le', status: 'cafe\u0301' };
    const composed = { name: 'Ad\u00e9le', status: 'caf\u00e9' };
    const joinAck = await request(adele, 'room:join', { room, profile: decomposed });
    expect(joinAck.self).toMatchObject(composed);
    expect((await members(room)).find((m) => m.userId === joinAck.self.userId)).toMatchObject(composed);

    const updated = record<MemberEvent>(observer, 'room:updated');
    expect(await request(adele, 'room:update', { room, profile: composed })).toEqual({ ok: true, room, self: joinAck.self });
    expect(await request(adele, 'room:update', { room, profile: decomposed })).toEqual({ ok: true, room, self: joinAck.self });
    expect(await request(adele, 'room:join', { room, profile: { name: 'Ad\u00e9le' } })).toMatchObject({ ok: true, self: joinAck.self });
    // Barrier: the next real change is the next room:updated; nothing came before it.
    const away = waitFor<MemberEvent>(observer, 'room:updated');
    const awayAck = await request(adele, 'room:update', { room, profile: { status: 'away' } });
    expect(await away).toEqual({ room, member: awayAck.self });
    expect(updated).toEqual([{ room, member: awayAck.self }]);
  });

  it('takes a token name in NFC, and refuses a token whose name would lie', async () => {
    const { session } = await connect(server.url, { clientId: clientId('nfc'), token: await userToken(SECRET, 'adele', { name: 'Ade\u0301le' }) });
    expect(session).toMatchObject({ userId: 'adele', name: 'Ad\u00e9le' });
    for (const [label, name] of LYING) {
      const error = await connectError(server.url, { token: await userToken(SECRET, 'mallory', { name }) });
      expect({ label, message: error.message }).toEqual({ label, message: 'UNAUTHORIZED' });
    }
  });

  it('leaves page and room keys as given (identifiers, not shown text)', async () => {
    const room = `Ade\u0301le-${clientId('k')}`;
    const { socket } = await connect(server.url);
    expect(await request(socket, 'room:join', { room })).toMatchObject({ ok: true, room });
    expect(await members(room)).toHaveLength(1);
    expect(await members(room.normalize('NFC'))).toEqual([]);
  });
});

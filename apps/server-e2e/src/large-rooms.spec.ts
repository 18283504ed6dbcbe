import { barrier, clientId, connect, equals, get, key, record, request, useServer, waitFor, type TestSocket } from '@presently/testing';

type Member = { userId: string; name: string; status: string };
type Count = { room: string; total: number };
type Sync = { room: string; members: Member[]; total: number; typing: string[] };

/**
 * The contract's "Large rooms" with ROSTER_MAX 4: above 4 members a room
 * sends coalesced counts instead of member events, the join ack lists the
 * earliest 4 and the total, and below 3.6 (4 × 0.9) it switches back with one
 * snapshot.
 */
describe('large rooms (ROSTER_MAX 4)', () => {
  // Typing lasts the whole test: its end by itself is another test's.
  const server = useServer({ ROSTER_MAX: '4', COUNT_INTERVAL_MS: '50', GRACE_MS: '0', TYPING_MS: '600000' });

  interface Person {
    name: string;
    socket: TestSocket;
    joined: Member[];
    left: Array<{ userId: string }>;
    updated: Member[];
    counts: Count[];
    syncs: Sync[];
    typing: Array<{ userId: string }>;
  }

  async function person(name: string): Promise<Person> {
    const { socket } = await connect(server.url, { clientId: clientId(name) });
    return {
      name,
      socket,
      joined: record<{ member: Member }>(socket, 'room:joined') as unknown as Member[],
      left: record(socket, 'room:left'),
      updated: record(socket, 'room:updated'),
      counts: record<Count>(socket, 'room:count'),
      syncs: record<Sync>(socket, 'room:sync'),
      typing: record(socket, 'room:typing'),
    };
  }

  const join = (p: Person, room: string) => request(p.socket, 'room:join', { room, profile: { name: p.name } });
  const names = (members: Member[]) => members.map((m) => m.name);

  it('switches to counts above ROSTER_MAX, and back with a snapshot below 90 % of it', async () => {
    const room = key('large');
    const people = await Promise.all(['Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay'].map(person));
    const [ann, ben, cat, dan, eve, fay] = people;

    // Up to ROSTER_MAX: member by member, as for any room.
    for (const p of [ann, ben, cat, dan]) expect(await join(p, room)).toMatchObject({ ok: true, total: [ann, ben, cat, dan].indexOf(p) + 1 });
    await barrier(ann.socket);
    expect(ann.joined).toHaveLength(3);

    // The fifth member crosses the line: counts to everyone, the newcomer included; no room:joined.
    const fiveAtAnn = waitFor<Count>(ann.socket, 'room:count', equals({ room, total: 5 }));
    const fiveAtEve = waitFor<Count>(eve.socket, 'room:count', equals({ room, total: 5 }));
    const eveAck = await join(eve, room);
    expect(eveAck).toMatchObject({ ok: true, room, total: 5 });
    expect(names(eveAck.members)).toEqual(['Ann', 'Ben', 'Cat', 'Dan']);
    await Promise.all([fiveAtAnn, fiveAtEve]);
    expect(ann.joined).toHaveLength(3);

    const sixAtBen = waitFor<Count>(ben.socket, 'room:count', equals({ room, total: 6 }));
    const fayAck = await join(fay, room);
    expect(fayAck).toMatchObject({ ok: true, total: 6 });
    expect(fayAck.members).toHaveLength(4);
    await sixAtBen;

    // HTTP answers like the ack: the earliest ROSTER_MAX and the total.
    const http = await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
    expect(http.status).toBe(200);
    expect(http.body.total).toBe(6);
    expect(names(http.body.members)).toEqual(['Ann', 'Ben', 'Cat', 'Dan']);

    // Profile changes and typing are kept but not announced while the room is large.
    expect(await request(ann.socket, 'room:update', { room, profile: { status: 'busy' } })).toMatchObject({ ok: true, self: { status: 'busy' } });
    expect(await request(ben.socket, 'room:typing', { room, typing: true })).toEqual({ ok: true });
    for (const p of people) await barrier(p.socket);
    expect(people.flatMap((p) => p.updated)).toEqual([]);
    expect(people.flatMap((p) => p.typing)).toEqual([]);
    const benId = fayAck.members[1].userId;

    // Leaves while large are counts too; 4 is still at or above 3.6.
    const fourAtCat = waitFor<Count>(cat.socket, 'room:count', equals({ room, total: 4 }));
    await request(fay.socket, 'room:leave', { room });
    await request(eve.socket, 'room:leave', { room });
    await fourAtCat;

    // Dan's leave takes it to 3, below 3.6: one snapshot instead of his room:left.
    const syncs = [ann, ben, cat].map((p) => waitFor<Sync>(p.socket, 'room:sync', (s) => s.room === room));
    await request(dan.socket, 'room:leave', { room });
    for (const sync of await Promise.all(syncs)) {
      expect(names(sync.members)).toEqual(['Ann', 'Ben', 'Cat']);
      expect(sync.members[0].status).toBe('busy');
      // Who types, kept while the room was large, comes with the snapshot.
      expect([sync.total, sync.typing]).toEqual([3, [benId]]);
    }
    for (const p of people) await barrier(p.socket);
    expect(people.flatMap((p) => p.left)).toEqual([]);

    // Small again: member events as usual.
    const catLeft = waitFor<{ room: string; userId: string }>(ann.socket, 'room:left', (e) => e.room === room);
    await request(cat.socket, 'room:leave', { room });
    await catLeft;
    expect(ann.counts.every((c) => c.total >= 4)).toBe(true);
  });

  it('never sends room:count in a room that stays at ROSTER_MAX or below', async () => {
    const room = key('small');
    const people = await Promise.all(['Gil', 'Hal', 'Ida', 'Jo'].map(person));
    for (const p of people) await join(p, room);
    await request(people[3].socket, 'room:leave', { room });
    await join(people[3], room);
    // A count would go out right after the join's turn (leading edge), so
    // before these later round trips are answered.
    for (const p of people) await barrier(p.socket);
    expect(people.flatMap((p) => p.counts)).toEqual([]);
    expect(people.flatMap((p) => p.syncs)).toEqual([]);
  });
});

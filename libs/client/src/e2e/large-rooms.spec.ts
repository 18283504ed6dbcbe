import type { Member } from '@presently/protocol';
import { key, useServer } from '@presently/testing';
import { closeClients, next, openClient } from '../test/support';

const names = (members: readonly Member[]) => members.map((m) => m.name);

describe('large rooms', () => {
  const server = useServer({ ROSTER_MAX: '2', COUNT_INTERVAL_MS: '20', GRACE_MS: '0' });
  afterEach(() => closeClients());

  it('follows total$ from room:count above ROSTER_MAX, and the list again from room:sync', async () => {
    const name = key('large');
    const [ada, bob, cy] = ['Ada', 'Bob', 'Cy'].map(() => openClient({ url: server.url }).client);
    const room = ada.room(name);
    expect(await room.join({ name: 'Ada' })).toMatchObject({ total: 1 });
    await bob.join(name, { name: 'Bob' });
    await next(room.members$, (m) => m.length === 2);
    expect(await next(room.total$)).toBe(2);

    // Cy makes three: the room is large, the list stays as it was, the total follows.
    const cyJoin = await cy.join(name, { name: 'Cy' });
    expect(cyJoin.total).toBe(3);
    expect(names(cyJoin.members)).toEqual(['Ada', 'Bob']);
    await next(room.total$, (total) => total === 3);
    expect(names(await next(room.members$))).toEqual(['Ada', 'Bob']);
    await next(cy.room(name).total$, (total) => total === 3);

    // Down to 2 (still at or above 1.8), then 1: back with a fresh list.
    await cy.leave(name);
    await next(room.total$, (total) => total === 2);
    await bob.leave(name);
    expect(names(await next(room.members$, (m) => m.length === 1))).toEqual(['Ada']);
    expect(await next(room.total$)).toBe(1);
  });
});

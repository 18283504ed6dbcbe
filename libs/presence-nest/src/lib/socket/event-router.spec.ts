import { Events, type Ack } from '@presently/protocol';
import { EventRouter } from './event-router';
import type { PresenceSocket } from './presence-socket';

describe('EventRouter', () => {
  const socket = { id: 's1' } as PresenceSocket;
  const seen: unknown[] = [];
  const router = new EventRouter();
  router.on(Events.PageEnter, (_socket, data) => {
    seen.push(data);
    return { ok: true };
  });
  router.on(Events.PageLeave, async (_socket, data) => ({ ok: true, page: String(data) }) as Ack);

  beforeEach(() => (seen.length = 0));

  it('passes the one argument as the payload and answers the ack', () => {
    const acks: Ack[] = [];
    expect(router.dispatch(socket, [Events.PageEnter, { page: '/a' }, (ack: Ack) => acks.push(ack)])).toBe(true);
    expect(seen).toEqual([{ page: '/a' }]);
    expect(acks).toEqual([{ ok: true }]);
  });

  it('runs the handler without an ack, with no payload, and with several arguments as an array', () => {
    router.dispatch(socket, [Events.PageEnter, { page: '/b' }]);
    router.dispatch(socket, [Events.PageEnter, () => undefined]);
    router.dispatch(socket, [Events.PageEnter, 1, 2, () => undefined]);
    expect(seen).toEqual([{ page: '/b' }, undefined, [1, 2]]);
  });

  it('answers the ack once a promised answer arrives', async () => {
    const ack = new Promise<Ack>((resolve) => router.dispatch(socket, [Events.PageLeave, '/c', resolve]));
    await expect(ack).resolves.toEqual({ ok: true, page: '/c' });
  });

  it('says when no handler is registered, and refuses a second handler for one event', () => {
    expect(router.dispatch(socket, [Events.RoomJoin, { room: 'r' }])).toBe(false);
    expect(() => router.on(Events.PageEnter, () => ({ ok: true }))).toThrow(/already registered/);
  });
});

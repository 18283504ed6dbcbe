import type { Member, PageCounts } from '@presently/protocol';
import { badRequest, clientIdOf, isKey, startReference } from './reference-server';

/** One connected socket, as the tutorials keep it: its pages and its room profiles. */
interface Visitor {
  pages: string[];
  rooms: Map<string, Member>;
}

/**
 * `naive`: the popular tutorial approach. A Map of socket → visitor; every
 * count is a filter over all entries, recomputed on every event, and every
 * change is broadcast to every connected client (`namespace.emit`), which
 * picks out the pages it cares about. Rooms likewise: the member list is a
 * filter over all sockets, sent whole in the `room:join` ack, and
 * `room:joined`/`room:left` go to everyone else connected.
 */
startReference('naive', (namespace) => {
  const visitors = new Map<string, Visitor>();
  const countOf = (page: string): PageCounts => {
    const n = [...visitors.values()].filter((visitor) => visitor.pages.includes(page)).length;
    return { page, viewers: n, connections: n, active: n };
  };
  const membersOf = (room: string): Member[] =>
    [...visitors.values()].filter((visitor) => visitor.rooms.has(room)).map((visitor) => visitor.rooms.get(room) as Member);

  namespace.on('connection', (socket) => {
    const clientId = clientIdOf(socket);
    const visitor: Visitor = { pages: [], rooms: new Map() };
    visitors.set(socket.id, visitor);
    // A reference speaks v1 only.
    socket.emit('session', { protocol: '1.0', clientId, userId: clientId, name: null, roles: [], serverTime: Date.now() });

    socket.on('page:enter', (payload, ack) => {
      const page = payload?.page;
      if (!isKey(page)) return ack?.(badRequest);
      if (!visitor.pages.includes(page)) {
        visitor.pages.push(page);
        namespace.emit('page:count', countOf(page));
      }
      ack?.({ ok: true, ...countOf(page) });
    });

    socket.on('page:leave', (payload, ack) => {
      const page = payload?.page;
      if (!isKey(page)) return ack?.(badRequest);
      if (visitor.pages.includes(page)) {
        visitor.pages = visitor.pages.filter((p) => p !== page);
        namespace.emit('page:count', countOf(page));
      }
      ack?.({ ok: true, page });
    });

    socket.on('page:watch', (payload, ack) => {
      const list = payload?.pages;
      if (!Array.isArray(list) || !list.every(isKey)) return ack?.(badRequest);
      // Everyone hears every count already: watching is just reading them.
      ack?.({ ok: true, counts: list.map(countOf) });
    });

    socket.on('page:unwatch', (payload, ack) => {
      if (!Array.isArray(payload?.pages)) return ack?.(badRequest);
      ack?.({ ok: true });
    });

    socket.on('room:join', (payload, ack) => {
      const room = payload?.room;
      if (!isKey(room)) return ack?.(badRequest);
      let self = visitor.rooms.get(room);
      if (!self) {
        const profile = payload.profile ?? {};
        self = { userId: clientId, name: profile.name ?? 'Anonymous', status: profile.status ?? 'online', meta: profile.meta ?? {}, connections: 1, since: Date.now(), activity: 'active' };
        visitor.rooms.set(room, self);
        socket.broadcast.emit('room:joined', { room, member: self });
      }
      const members = membersOf(room);
      ack?.({ ok: true, room, self, members, total: members.length, typing: [] });
    });

    socket.on('room:leave', (payload, ack) => {
      const room = payload?.room;
      if (!isKey(room)) return ack?.(badRequest);
      const self = visitor.rooms.get(room);
      if (self && visitor.rooms.delete(room)) socket.broadcast.emit('room:left', { room, userId: clientId, reason: 'leave', duration: Date.now() - self.since });
      ack?.({ ok: true, room });
    });

    socket.on('disconnect', () => {
      visitors.delete(socket.id);
      for (const page of visitor.pages) namespace.emit('page:count', countOf(page));
      for (const [room, self] of visitor.rooms) namespace.emit('room:left', { room, userId: clientId, reason: 'disconnect', duration: Date.now() - self.since });
    });
  });
});

import { DEFAULT_LIMITS, type Member, type PageCounts } from '@presently/protocol';
import { badRequest, clientIdOf, isKey, startReference } from './reference-server';

/**
 * `bare`: the least work that answers the benchmark's events correctly on
 * plain Socket.IO, the physical limit of this stack. A counter per page and
 * `join(page)`; every change is sent at once with one `to(page).emit`, no
 * coalescing, no validation beyond types, no rate limits, no grace period,
 * no metrics. Viewers are sockets (the benchmark gives every socket its own
 * clientId). Room members are sockets too; `room:joined`/`room:left` go to
 * every other member at once, and the `room:join` ack carries at most
 * `ROSTER_MAX` members plus `total`, as the protocol allows.
 */
startReference('bare', (namespace) => {
  const entered = new Map<string, number>();
  const rooms = new Map<string, Map<string, Member>>();
  const rosterMax = Number(process.env.ROSTER_MAX) || DEFAULT_LIMITS.rosterMax;
  const pageChannel = (page: string) => `p:${page}`;
  const roomChannel = (room: string) => `r:${room}`;
  const counts = (page: string): PageCounts => {
    const n = entered.get(page) ?? 0;
    return { page, viewers: n, connections: n, active: n };
  };
  const change = (page: string, delta: number): PageCounts => {
    const n = (entered.get(page) ?? 0) + delta;
    if (n > 0) entered.set(page, n);
    else entered.delete(page);
    const now = { page, viewers: n, connections: n, active: n };
    namespace.to(pageChannel(page)).emit('page:count', now);
    return now;
  };

  namespace.on('connection', (socket) => {
    const clientId = clientIdOf(socket);
    const pages = new Set<string>();
    const watched = new Set<string>();
    const joined = new Set<string>();
    // A reference speaks v1 only.
    socket.emit('session', { protocol: '1.0', clientId, userId: clientId, name: null, roles: [], serverTime: Date.now() });

    const leaveRoom = (room: string, reason: 'leave' | 'disconnect') => {
      joined.delete(room);
      const members = rooms.get(room);
      const self = members?.get(clientId);
      if (!members || !self) return;
      members.delete(clientId);
      if (members.size === 0) rooms.delete(room);
      namespace.to(roomChannel(room)).except(socket.id).emit('room:left', { room, userId: clientId, reason, duration: Date.now() - self.since });
    };

    socket.on('page:enter', (payload, ack) => {
      const page = payload?.page;
      if (!isKey(page)) return ack?.(badRequest);
      if (pages.has(page)) return ack?.({ ok: true, ...counts(page) });
      pages.add(page);
      socket.join(pageChannel(page));
      ack?.({ ok: true, ...change(page, 1) });
    });

    socket.on('page:leave', (payload, ack) => {
      const page = payload?.page;
      if (!isKey(page)) return ack?.(badRequest);
      if (pages.delete(page)) {
        if (!watched.has(page)) socket.leave(pageChannel(page));
        change(page, -1);
      }
      ack?.({ ok: true, page });
    });

    socket.on('page:watch', (payload, ack) => {
      const list = payload?.pages;
      if (!Array.isArray(list) || !list.every(isKey)) return ack?.(badRequest);
      for (const page of list) {
        watched.add(page);
        socket.join(pageChannel(page));
      }
      ack?.({ ok: true, counts: list.map(counts) });
    });

    socket.on('page:unwatch', (payload, ack) => {
      const list = payload?.pages;
      if (!Array.isArray(list) || !list.every(isKey)) return ack?.(badRequest);
      for (const page of list) if (watched.delete(page) && !pages.has(page)) socket.leave(pageChannel(page));
      ack?.({ ok: true });
    });

    socket.on('room:join', (payload, ack) => {
      const room = payload?.room;
      if (!isKey(room)) return ack?.(badRequest);
      let members = rooms.get(room);
      if (!members) rooms.set(room, (members = new Map()));
      let self = members.get(clientId);
      if (!self) {
        const profile = payload.profile ?? {};
        self = { userId: clientId, name: profile.name ?? 'Anonymous', status: profile.status ?? 'online', meta: profile.meta ?? {}, connections: 1, since: Date.now(), activity: 'active' };
        members.set(clientId, self);
        joined.add(room);
        socket.join(roomChannel(room));
        socket.to(roomChannel(room)).emit('room:joined', { room, member: self });
      }
      const roster: Member[] = [];
      for (const member of members.values()) {
        if (roster.length === rosterMax) break;
        roster.push(member);
      }
      ack?.({ ok: true, room, self, members: roster, total: members.size, typing: [] });
    });

    socket.on('room:leave', (payload, ack) => {
      const room = payload?.room;
      if (!isKey(room)) return ack?.(badRequest);
      if (joined.has(room)) {
        leaveRoom(room, 'leave');
        socket.leave(roomChannel(room));
      }
      ack?.({ ok: true, room });
    });

    socket.on('disconnect', () => {
      for (const page of pages) change(page, -1);
      for (const room of joined) leaveRoom(room, 'disconnect');
    });
  });
});

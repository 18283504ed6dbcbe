import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import {
  ackError,
  ErrorCodes,
  Events,
  isClientEvent,
  PRESENCE_NAMESPACE,
  type Ack,
  type ClientEventName,
} from '@presently/protocol';
import type { PayloadOf } from '@presently/protocol/validation';
import { userKeyOf } from '@presently/presence-core';
import { handleEvent, then } from './handle-event';
import { pageChannel, roomChannel, STATS_CHANNEL } from './channels';
import { ConnectionHooks } from './connection-hooks';
import { EventRouter } from './event-router';
import { PresenceMetrics } from './presence-metrics';
import { isCrawler } from './crawlers';
import type { PresenceNamespace, PresenceSocket } from './presence-socket';
import { PresenceService } from './presence.service';
import { SessionAuthenticator, UnauthorizedError } from './session-authenticator';

/**
 * The `/presence` namespace. Each handler validates its payload, calls the
 * presence registry, and returns the ack; the registry's announcements reach
 * other sockets through the service's sink. Every failure, expected or not,
 * is answered in the ack as `{ ok: false, error }`.
 */
@WebSocketGateway({ namespace: PRESENCE_NAMESPACE })
export class PresenceGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('PresenceGateway');

  constructor(
    private readonly service: PresenceService,
    private readonly authenticator: SessionAuthenticator,
    private readonly hooks: ConnectionHooks,
    private readonly metrics: PresenceMetrics,
    private readonly router: EventRouter,
  ) {
    router.on(Events.PageEnter, (socket, data) => this.enterPage(socket, data));
    router.on(Events.PageLeave, (socket, data) => this.leavePage(socket, data));
    router.on(Events.PageWatch, (socket, data) => this.watchPages(socket, data));
    router.on(Events.PageUnwatch, (socket, data) => this.unwatchPages(socket, data));
    router.on(Events.RoomJoin, (socket, data) => this.joinRoom(socket, data));
    router.on(Events.RoomLeave, (socket, data) => this.leaveRoom(socket, data));
    router.on(Events.RoomUpdate, (socket, data) => this.updateProfile(socket, data));
    router.on(Events.StatsWatch, (socket, data) => this.watchStats(socket, data));
    router.on(Events.StatsUnwatch, (socket, data) => this.unwatchStats(socket, data));
  }

  afterInit(namespace: PresenceNamespace): void {
    this.service.attach(namespace);
    namespace.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as { clientId?: unknown; token?: unknown };
      this.authenticator.identify(auth.clientId, auth.token).then(
        (identity) => {
          socket.data = identity;
          next();
        },
        (error: unknown) => {
          if (!(error instanceof UnauthorizedError)) this.logger.error({ msg: 'handshake failed', error: String(error) });
          else this.logger.debug({ msg: 'handshake refused', reason: error.message });
          next(new Error(ErrorCodes.Unauthorized));
        },
      );
    });
    namespace.use(this.hooks.admit);
  }

  handleConnection(socket: PresenceSocket): void {
    const identity = socket.data;
    this.service.presence.connect(socket.id, identity, { counted: !isCrawler(socket.handshake.headers['user-agent']) });
    this.hooks.accept(socket);
    // The socket's one middleware: every event is counted (metrics) and
    // charged to the socket's budget, unknown ones included; an event refused
    // here reaches no handler, an admitted one goes to its handler in the
    // router (no listener per event name on the socket).
    const budget = this.service.eventBudget();
    socket.use((packet, next) => {
      const known = isClientEvent(packet[0]);
      const ack = this.metrics.received(packet, known);
      if (!budget.take(this.service.clock.now())) return ack?.(ackError(ErrorCodes.RateLimited, 'too many events'));
      if (!known) return ack?.(ackError(ErrorCodes.BadRequest, 'unknown event'));
      if (!this.router.dispatch(socket, packet)) next();
    });
    socket.emit(Events.Session, {
      clientId: identity.clientId,
      userId: identity.userId,
      name: identity.name,
      roles: [...identity.roles],
      serverTime: Date.now(),
    });
    this.hooks.connected(socket);
  }

  handleDisconnect(socket: PresenceSocket): void {
    this.service.presence.disconnect(socket.id);
  }

  private enterPage(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageEnter, data, ({ page }) => {
      const result = this.service.presence.enterPage(socket.id, page);
      if (!result.ok) return result;
      if (result.subscribe) socket.join(pageChannel(page));
      if (!this.service.cluster) return { ok: true, page, viewers: result.viewers, connections: result.connections };
      return then(this.service.pageCounts([page]), ([counts]) => ({ ok: true as const, ...counts }));
    });
  }

  private leavePage(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageLeave, data, ({ page }) => {
      const result = this.service.presence.leavePage(socket.id, page);
      if (!result.ok) return result;
      if (result.unsubscribe) socket.leave(pageChannel(page));
      return then(this.service.settled(), () => ({ ok: true as const, page }));
    });
  }

  private watchPages(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageWatch, data, ({ pages }) => {
      const result = this.service.presence.watchPages(socket.id, pages);
      if (!result.ok) return result;
      if (result.subscribe.length > 0) socket.join(result.subscribe.map(pageChannel));
      if (!this.service.cluster) return { ok: true, counts: result.counts };
      return then(this.service.pageCounts(result.counts.map((c) => c.page)), (counts) => ({ ok: true as const, counts }));
    });
  }

  private unwatchPages(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageUnwatch, data, ({ pages }) => {
      const result = this.service.presence.unwatchPages(socket.id, pages);
      if (!result.ok) return result;
      for (const page of result.unsubscribe) socket.leave(pageChannel(page));
      return { ok: true };
    });
  }

  private joinRoom(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomJoin, data, ({ room, profile }) => {
      const result = this.service.presence.joinRoom(socket.id, room, profile);
      if (!result.ok) return result;
      if (result.subscribe) socket.join(roomChannel(room));
      if (!this.service.cluster) return { ok: true, room, self: result.self, members: result.members, total: result.total };
      return then(this.service.roster(room, userKeyOf(socket.data)), (roster) => ({
        ok: true as const,
        room,
        self: roster.self ?? result.self,
        members: roster.members,
        total: roster.total,
      }));
    });
  }

  private leaveRoom(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomLeave, data, ({ room }) => {
      const result = this.service.presence.leaveRoom(socket.id, room);
      if (!result.ok) return result;
      if (result.unsubscribe) socket.leave(roomChannel(room));
      return then(this.service.settled(), () => ({ ok: true as const, room }));
    });
  }

  private updateProfile(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomUpdate, data, ({ room, profile }) => {
      const result = this.service.presence.updateProfile(socket.id, room, profile);
      if (!result.ok || !this.service.cluster) return result;
      return then(this.service.roster(room, userKeyOf(socket.data)), (roster) => ({ ok: true as const, room, self: roster.self ?? result.self }));
    });
  }

  private watchStats(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.StatsWatch, data, () => {
      const result = this.service.presence.watchStats(socket.id);
      if (!result.ok) return result;
      socket.join(STATS_CHANNEL);
      if (!this.service.cluster) return result;
      return then(this.service.stats(), (stats) => ({ ok: true as const, ...stats }));
    });
  }

  private unwatchStats(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.StatsUnwatch, data, () => {
      const result = this.service.presence.unwatchStats(socket.id);
      if (result.ok) socket.leave(STATS_CHANNEL);
      return result;
    });
  }

  private handle<E extends ClientEventName>(
    socket: PresenceSocket,
    event: E,
    data: unknown,
    operation: (payload: PayloadOf[E]) => Ack | Promise<Ack>,
  ): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, event, data, operation);
  }
}


import { Inject, Logger } from '@nestjs/common';
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
import { handleEvent, then } from './handle-event';
import { pageChannel, roomChannel } from './channels';
import { ConnectionHooks } from './connection-hooks';
import { EventRouter } from './event-router';
import { PassiveSockets } from './passive-sockets';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { isCrawler } from '../access/crawlers';
import { StateCeiling } from '../access/state-ceiling';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import type { PresenceNamespace, PresenceSocket } from './presence-socket';
import { askerOf, Figures } from '../figures/figures';
import { PresenceRegistry } from '../presence-registry';
import { SessionAuthenticator, UnauthorizedError } from '../access/session-authenticator';
import { sessionOf } from './session-event';
import { WatchRates } from './watch-rates';

const RATE_LIMITED = ackError(ErrorCodes.RateLimited, 'too many events');
const UNKNOWN_EVENT = ackError(ErrorCodes.BadRequest, 'unknown event');

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
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly authenticator: SessionAuthenticator,
    private readonly hooks: ConnectionHooks,
    private readonly metrics: PresenceMetrics,
    private readonly router: EventRouter,
    private readonly ceiling: StateCeiling,
    private readonly passive: PassiveSockets,
    private readonly rates: WatchRates,
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
  ) {
    router.onAnswer((event, response) => metrics.acked(event, response));
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
    this.registry.attach(namespace);
    this.hooks.attach(namespace);
    namespace.use(this.ceiling.middleware);
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
    const counted = !isCrawler(socket.handshake.headers['user-agent']);
    // The address its held time counts against and whose budget pays for what it holds.
    this.registry.presence.connect(socket.id, identity, { counted, address: this.hooks.addressOf(socket) });
    this.hooks.accept(socket);
    // The socket's one middleware: every event is counted (metrics) and
    // charged to the socket's budget, unknown ones included; an event refused
    // here reaches no handler, an admitted one goes to its handler in the
    // router (no listener per event name on the socket).
    const budget = this.registry.eventBudget();
    socket.use((packet) => {
      const known = isClientEvent(packet[0]);
      this.metrics.received(packet[0], known);
      if (!budget.take(this.registry.clock.now())) return this.router.refuse(packet, RATE_LIMITED);
      // A protocol event this server does not serve (polls turned off) is answered like an unknown one.
      if (!known || !this.router.dispatch(socket, packet)) return this.router.refuse(packet, UNKNOWN_EVENT);
    });
    socket.emit(Events.Session, sessionOf(identity));
    this.hooks.connected(socket);
  }

  handleDisconnect(socket: PresenceSocket): void {
    this.registry.presence.disconnect(socket.id);
    this.passive.forget(socket.id);
    this.rates.forget(socket);
  }

  private enterPage(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageEnter, data, ({ page }) => {
      const result = this.registry.presence.enterPage(socket.id, page);
      if (!result.ok) return result;
      if (result.subscribe) this.passive.join(socket, [pageChannel(page)]);
      this.rates.place(socket, page);
      return then(this.figures.pageCounts([page], socket.id), ([counts]) => {
        this.passive.answeredCounts(socket, [counts]);
        return { ok: true as const, ...counts };
      });
    });
  }

  private leavePage(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageLeave, data, ({ page }) => {
      const result = this.registry.presence.leavePage(socket.id, page);
      if (!result.ok) return result;
      if (result.unsubscribe) this.passive.leave(socket, pageChannel(page));
      this.rates.place(socket, page);
      return then(this.figures.settled(), () => ({ ok: true as const, page }));
    });
  }

  private watchPages(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageWatch, data, ({ pages, every }) => {
      const result = this.registry.presence.watchPages(socket.id, pages);
      if (!result.ok) return result;
      if (result.subscribe.length > 0) this.passive.join(socket, result.subscribe.map(pageChannel));
      this.rates.watchPages(socket, pages, every);
      return then(this.figures.pageCounts(result.counts.map((c) => c.page), socket.id), (counts) => {
        this.passive.answeredCounts(socket, counts);
        this.rates.pagesAcked(socket, counts);
        return { ok: true as const, counts };
      });
    });
  }

  private unwatchPages(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.PageUnwatch, data, ({ pages }) => {
      const result = this.registry.presence.unwatchPages(socket.id, pages);
      if (!result.ok) return result;
      for (const page of result.unsubscribe) this.passive.leave(socket, pageChannel(page));
      this.rates.unwatchPages(socket, pages);
      return { ok: true };
    });
  }

  private joinRoom(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomJoin, data, ({ room, profile }) => {
      const result = this.registry.presence.joinRoom(socket.id, room, profile);
      if (!result.ok) return result;
      if (result.subscribe) this.passive.join(socket, [roomChannel(room)]);
      this.registry.roomChanged(room);
      return then(this.figures.roster(room, askerOf(socket)), (roster) => {
        this.passive.answeredRoster(socket, room, roster);
        return { ok: true as const, room, self: roster.self ?? result.self, members: roster.members, total: roster.total, typing: roster.typing };
      });
    });
  }

  private leaveRoom(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomLeave, data, ({ room }) => {
      const result = this.registry.presence.leaveRoom(socket.id, room);
      if (!result.ok) return result;
      if (result.unsubscribe) this.passive.leave(socket, roomChannel(room));
      return then(this.figures.settled(), () => ({ ok: true as const, room }));
    });
  }

  private updateProfile(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.RoomUpdate, data, ({ room, profile }) => {
      const result = this.registry.presence.updateProfile(socket.id, room, profile);
      if (!result.ok) return result;
      return then(this.figures.self(room, askerOf(socket)), (self) => ({ ok: true as const, room, self: self ?? result.self }));
    });
  }

  private watchStats(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.StatsWatch, data, ({ every }) => {
      const result = this.registry.presence.watchStats(socket.id);
      if (!result.ok) return result;
      this.rates.watchStats(socket, every);
      return then(this.figures.stats(socket.id), (stats) => {
        this.passive.answeredStats(socket, stats);
        this.rates.statsAcked(socket, stats);
        return { ok: true as const, ...stats };
      });
    });
  }

  private unwatchStats(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return this.handle(socket, Events.StatsUnwatch, data, () => {
      const result = this.registry.presence.unwatchStats(socket.id);
      if (result.ok) this.rates.unwatchStats(socket);
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

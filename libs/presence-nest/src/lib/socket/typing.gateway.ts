import { Logger } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { Events, PRESENCE_NAMESPACE, type Ack } from '@presently/protocol';
import { Figures } from '../figures/figures';
import { PresenceRegistry } from '../presence-registry';
import { EventRouter } from './event-router';
import { handleEvent, then } from './handle-event';
import type { PresenceSocket } from './presence-socket';

/**
 * `room:typing` (v1.1): a socket of a room says it types (`typing: true`,
 * again at least every `TYPING_MS` while it does) or stopped. The registry
 * decides whether its member started or stopped and announces it to the
 * room; the ack follows once that is decided (with a cluster, once the
 * store has applied it). Dispatched through the namespace's `EventRouter`,
 * like every event: the presence gateway's middleware counts and rate-limits it.
 */
@WebSocketGateway({ namespace: PRESENCE_NAMESPACE })
export class TypingGateway {
  private readonly logger = new Logger('TypingGateway');

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    router: EventRouter,
  ) {
    router.on(Events.RoomTyping, (socket, data) => this.typing(socket, data));
  }

  private typing(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.RoomTyping, data, ({ room, typing }) => {
      const result = this.registry.presence.setTyping(socket.id, room, typing);
      if (!result.ok) return result;
      return then(this.figures.settled(), () => ({ ok: true as const }));
    });
  }
}

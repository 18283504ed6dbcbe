import { Logger } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { Events, PRESENCE_NAMESPACE, type Ack } from '@presently/protocol';
import { Figures } from '../figures/figures';
import { PresenceRegistry } from '../presence-registry';
import { EventRouter } from './event-router';
import { handleEvent, then } from './handle-event';
import type { PresenceSocket } from './presence-socket';

/**
 * `room:recent` (v1.1): who left a room in the last `RECENT_MS` and is not
 * back, most recent first. The room's access rules apply as for a join
 * (`private:*` needs a signed-in user, `role:<r>` the role); the socket need
 * not be a member. With a cluster the list is the cluster's, and the answer
 * is `INTERNAL` while its store is unreachable.
 */
@WebSocketGateway({ namespace: PRESENCE_NAMESPACE })
export class RecentLeaversGateway {
  private readonly logger = new Logger('RecentLeaversGateway');

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    router: EventRouter,
  ) {
    router.on(Events.RoomRecent, (socket, data) => this.recent(socket, data));
  }

  private recent(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.RoomRecent, data, ({ room }) => {
      const allowed = this.registry.presence.mayRead(socket.id, room);
      if (!allowed.ok) return allowed;
      return then(this.figures.recent(room), (recent) => ({ ok: true as const, room, recent }));
    });
  }
}

import { Logger } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { Events, PRESENCE_NAMESPACE, type Ack } from '@presently/protocol';
import { SessionSwitch } from '../access/session-switch';
import { EventRouter } from './event-router';
import { handleEvent } from './handle-event';
import type { PresenceSocket } from './presence-socket';

/**
 * `session:token` (protocol v1.1) of the `/presence` namespace: a socket
 * signs in, out or renews its token without reconnecting
 * ({@link SessionSwitch}). Dispatched through the shared `EventRouter`, like
 * every event of the namespace.
 */
@WebSocketGateway({ namespace: PRESENCE_NAMESPACE })
export class SessionGateway {
  private readonly logger = new Logger('SessionGateway');

  constructor(
    private readonly sessions: SessionSwitch,
    router: EventRouter,
  ) {
    router.on(Events.SessionToken, (socket, data) => this.token(socket, data));
  }

  private token(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.SessionToken, data, ({ token }) => this.sessions.switchTo(socket, token));
  }
}

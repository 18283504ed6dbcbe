import { Logger } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { Events, PRESENCE_NAMESPACE, type Ack, type PollTallies } from '@presently/protocol';
import { pollChannel } from '../socket/channels';
import { EventRouter } from '../socket/event-router';
import { PassiveSockets } from '../socket/passive-sockets';
import { handleEvent, then } from '../socket/handle-event';
import { PollService } from './poll.service';
import type { PresenceNamespace, PresenceSocket } from '../socket/presence-socket';

/**
 * The live-poll events of the `/presence` namespace (a protocol extension).
 * Authentication, rate limits and unknown events are handled once for the
 * namespace by the presence gateway, whose socket middleware dispatches
 * these events through the shared `EventRouter`.
 */
@WebSocketGateway({ namespace: PRESENCE_NAMESPACE })
export class PollGateway implements OnGatewayInit, OnGatewayDisconnect {
  private readonly logger = new Logger('PollGateway');

  constructor(
    private readonly service: PollService,
    private readonly passive: PassiveSockets,
    router: EventRouter,
  ) {
    router.on(Events.PollWatch, (socket, data) => this.watch(socket, data));
    router.on(Events.PollUnwatch, (socket, data) => this.unwatch(socket, data));
    router.on(Events.PollVote, (socket, data) => this.vote(socket, data));
  }

  afterInit(namespace: PresenceNamespace): void {
    this.service.attach(namespace);
  }

  handleDisconnect(socket: PresenceSocket): void {
    this.service.polls.forget(socket.id);
  }

  private watch(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.PollWatch, data, async ({ poll }) => {
      const result = await this.service.watch(poll, socket.id);
      if (!result.ok) return result;
      // Subscribed before the tallies are read: no push between the two is missed.
      if (result.subscribe) this.passive.join(socket, [pollChannel(poll)]);
      return then(this.service.tallies(poll, socket.id), (tallies) => this.answered(socket, tallies));
    });
  }

  private unwatch(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.PollUnwatch, data, ({ poll }) => {
      const result = this.service.polls.unwatch(socket.id, poll);
      if (!result.ok) return result;
      if (result.unsubscribe) this.passive.leave(socket, pollChannel(poll));
      return { ok: true };
    });
  }

  private vote(socket: PresenceSocket, data: unknown): Ack | Promise<Ack> {
    return handleEvent(this.logger, socket, Events.PollVote, data, ({ poll, option }) =>
      then(this.service.vote(poll, option, socket.id), (tallies) => this.answered(socket, tallies)),
    );
  }

  /** Tallies a socket was answered: what it holds, should it be hidden. */
  private answered<T extends Ack>(socket: PresenceSocket, answer: T): T {
    if (answer.ok) this.passive.answeredTallies(socket, answer as unknown as PollTallies);
    return answer;
  }
}

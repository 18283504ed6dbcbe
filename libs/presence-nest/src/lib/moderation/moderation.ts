import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Events } from '@presently/protocol';
import { validateDisconnectRequest, type DisconnectRequest } from '@presently/protocol/validation';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PresenceRegistry } from '../presence-registry';
import { hiddenRoomChannel, roomChannel, roomChannels } from '../socket/channels';
import type { PresenceNamespace, PresenceSocket } from '../socket/presence-socket';

/** The server-side event that carries a moderation request to the other processes of a cluster. */
const MODERATE = 'presently:moderate';

type Reply = (sockets: number) => void;

/** The namespace as a server-side event channel between processes (untyped by the protocol). */
interface ServerSide {
  on(event: string, listener: (request: unknown, reply: Reply) => void): unknown;
  serverSideEmitWithAck(event: string, request: DisconnectRequest): Promise<unknown[]>;
}

/**
 * Moderation, for operators of public rooms (`POST /api/disconnect`): a
 * user's sockets are disconnected at once, or the user is taken out of one
 * room, with no grace period. Each process acts on its own sockets and its
 * own registry; in a cluster the request reaches the other processes as a
 * server-side event of the Socket.IO adapter (the Redis adapter's
 * `serverSideEmitWithAck`), and each answers how many sockets it acted on.
 *
 * - Disconnect: the user's sockets first leave every channel (so none hears
 *   of its own leave), then the registry ends every connection of the user,
 *   held ones included (`room:left` with reason `leave` for the others),
 *   then the sockets are disconnected (`io server disconnect`: a Socket.IO
 *   client does not reconnect by itself).
 * - Room: the user's sockets in the room leave its channel, the registry
 *   takes the member out (reason `leave`), and each of those sockets is told
 *   with `room:removed { room }`; they stay connected and may join again.
 *
 * Neither is a ban: a user may reconnect or join again, and an application
 * refuses it through its `authorize` hook or its own token issuing.
 */
@Injectable()
export class Moderation implements OnApplicationBootstrap {
  private readonly logger = new Logger('Moderation');

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const namespace = this.registry.namespace;
    if (!namespace) {
      this.logger.error({ msg: 'the /presence namespace is not up: moderation requests of other processes will not be served' });
      return;
    }
    (namespace as unknown as ServerSide).on(MODERATE, (request, reply) => {
      // Another process of the cluster sent it; still checked, as any input.
      const valid = validateDisconnectRequest(request);
      if (typeof reply === 'function') reply(valid.ok ? this.applyLocally(namespace, valid.value) : 0);
    });
  }

  /**
   * Applies a moderation request on every process; resolves with the
   * sockets acted on (disconnected, or removed from the room) everywhere.
   * A process that does not answer within the adapter's request timeout
   * is left out of the count (logged).
   */
  async apply(request: DisconnectRequest): Promise<number> {
    const namespace = this.registry.namespace;
    if (!namespace) throw new Error('the /presence namespace is not up yet');
    let sockets = this.applyLocally(namespace, request);
    if ((await namespace.adapter.serverCount()) > 1) {
      const replies = await (namespace as unknown as ServerSide).serverSideEmitWithAck(MODERATE, request).catch((error: { responses?: unknown[] }) => {
        this.logger.warn({ msg: 'a process did not answer a moderation request in time', error: String(error) });
        return error.responses ?? [];
      });
      for (const reply of replies) if (typeof reply === 'number') sockets += reply;
    }
    return sockets;
  }

  /** This process's part: answers the sockets it acted on. O(local sockets). */
  private applyLocally(namespace: PresenceNamespace, { userId, room }: DisconnectRequest): number {
    const mine: PresenceSocket[] = [];
    for (const socket of namespace.sockets.values()) {
      if (socket.data.userId !== userId) continue;
      if (room === undefined || socket.rooms.has(roomChannel(room)) || socket.rooms.has(hiddenRoomChannel(room))) mine.push(socket);
    }
    const presence = this.registry.presence;
    if (room === undefined) {
      for (const socket of mine) for (const channel of [...socket.rooms]) if (channel !== socket.id) socket.leave(channel);
      presence.expelUser(userId);
      for (const socket of mine) socket.disconnect(true);
    } else {
      for (const socket of mine) for (const channel of roomChannels(room)) socket.leave(channel);
      presence.removeFromRoom(userId, room);
      for (const socket of mine) socket.emit(Events.RoomRemoved, { room });
      if (mine.length > 0) this.metrics.sent(Events.RoomRemoved);
    }
    if (mine.length > 0) this.logger.log({ msg: room === undefined ? 'user disconnected by an operator' : 'user removed from a room by an operator', userId, room, sockets: mine.length });
    return mine.length;
  }
}

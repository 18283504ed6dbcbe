import { Injectable } from '@nestjs/common';
import { isReservedEventName, type EmitTarget } from '@presently/protocol/validation';
import type { Namespace } from 'socket.io';
import { roleChannel, roomChannels, userChannel } from '../socket/channels';
import { PresenceMetrics } from './presence-metrics';
import { PresenceRegistry } from '../presence-registry';

/** An application's own server→client events: name → payload. */
export type AppEventMap = Record<string, unknown>;

export class PresenceEmitError extends Error {}

/** Where an application event goes: a namespace or a broadcast, untyped (the names are the application's). */
interface Broadcast {
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Sends an application's own events to chosen sockets of `/presence`, from
 * its providers; `POST /api/emit` does the same over HTTP. Delivery goes
 * through Socket.IO channels (every socket of a signed-in user, of a role,
 * of a room), so an adapter that spans processes delivers cluster-wide.
 * Anonymous visitors are reached only through `all` and rooms: a userId
 * names a signed-in user, never a browser's self-chosen clientId. Names the
 * protocol or Socket.IO use are refused.
 *
 * @example
 * constructor(private readonly emitter: PresenceEmitter<{ 'order:shipped': { id: string } }>) {}
 * this.emitter.toUsers(['user-42'], 'order:shipped', { id: 'A-17' });
 */
@Injectable()
export class PresenceEmitter<E extends AppEventMap = AppEventMap> {
  constructor(
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** Sends `event` with `data` (`null` when omitted) to the sockets `to` names. */
  emit<K extends keyof E & string>(to: EmitTarget, event: K, data?: E[K]): void {
    if (isReservedEventName(event)) throw new PresenceEmitError(`"${event}" is a reserved event name`);
    this.target(to).emit(event, data ?? null);
    this.metrics.emitted(to);
  }

  toAll<K extends keyof E & string>(event: K, data?: E[K]): void {
    this.emit({ all: true }, event, data);
  }

  toUsers<K extends keyof E & string>(userIds: readonly string[], event: K, data?: E[K]): void {
    if (userIds.length > 0) this.emit({ users: [...userIds] }, event, data);
  }

  toRole<K extends keyof E & string>(role: string, event: K, data?: E[K]): void {
    this.emit({ role }, event, data);
  }

  toRoom<K extends keyof E & string>(room: string, event: K, data?: E[K]): void {
    this.emit({ room }, event, data);
  }

  private target(to: EmitTarget): Broadcast {
    const namespace = this.registry.namespace as unknown as Namespace | null;
    if (!namespace) throw new PresenceEmitError('the /presence namespace is not up yet');
    if ('all' in to) return namespace;
    if ('users' in to) {
      if (to.users.length === 0) throw new PresenceEmitError('to.users must name at least one user');
      return namespace.to(to.users.map(userChannel));
    }
    if ('role' in to) return namespace.to(roleChannel(to.role));
    // Hidden members too: emits reach every socket in the room, whatever it reports.
    if ('room' in to) return namespace.to(roomChannels(to.room));
    throw new PresenceEmitError('to must have exactly one of all, users, role, room');
  }
}

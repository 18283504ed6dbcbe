import { Injectable } from '@nestjs/common';
import { Events } from '@presently/protocol';
import type { TimerHandle } from '@presently/presence-core';
import { identityChannels, roomChannels } from '../socket/channels';
import { PresenceMetrics } from '../hooks/presence-metrics';
import type { PresenceSocket } from '../socket/presence-socket';
import { PresenceRegistry } from '../presence-registry';

/** The longest delay a Node.js timer takes (about 24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends what a token granted when it expires while its socket is connected
 * (at `exp` plus the allowed skew, when a handshake would refuse it): the
 * socket leaves its `private:` and `role:` rooms (their members hear
 * `room:left`), stops receiving emits to its user and roles, may not join
 * such rooms again, and is told with `session:expired { rooms }`. It stays
 * connected, on its pages and in its public rooms; reconnecting with a fresh
 * token, or sending one with `session:token`, restores everything.
 *
 * One timer per signed-in socket, for the token it holds now: a socket that
 * changes identity is watched again, for its new token's `exp` (none once
 * anonymous).
 */
@Injectable()
export class SessionExpiry {
  /** Each watched socket's timer. */
  private readonly timers = new WeakMap<PresenceSocket, TimerHandle>();

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** Watches the token of a socket (newly connected, or of a new identity) until it expires or the socket goes ({@link forget}). */
  watch(socket: PresenceSocket): void {
    this.forget(socket);
    const identity = socket.data;
    const { authenticated, expiresAt } = identity;
    if (!authenticated || expiresAt === undefined) return;
    const clock = this.registry.clock;
    const check = () => {
      const remaining = expiresAt - clock.now();
      if (remaining > 0) this.timers.set(socket, clock.setTimer(Math.min(remaining, MAX_TIMER_MS), check));
      else {
        this.timers.delete(socket);
        if (socket.data === identity) this.expire(socket);
      }
    };
    // Never from inside the connection handler: `session` goes out first.
    this.timers.set(socket, clock.setTimer(Math.min(Math.max(0, expiresAt - clock.now()), MAX_TIMER_MS), check));
  }

  /** The socket went away (or changes identity): its token is not watched any more. */
  forget(socket: PresenceSocket): void {
    const timer = this.timers.get(socket);
    if (timer === undefined) return;
    this.registry.clock.clearTimer(timer);
    this.timers.delete(socket);
  }

  private expire(socket: PresenceSocket): void {
    if (!socket.connected) return;
    const result = this.registry.presence.revokeCredentials(socket.id);
    if (!result.ok) return;
    for (const room of result.rooms) for (const channel of roomChannels(room)) socket.leave(channel);
    for (const channel of identityChannels(socket.data)) socket.leave(channel);
    socket.emit(Events.SessionExpired, { rooms: result.rooms });
    this.metrics.sent(Events.SessionExpired);
    this.metrics.sessionExpired();
  }
}

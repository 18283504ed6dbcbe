import { Injectable } from '@nestjs/common';
import { Events } from '@presently/protocol';
import type { TimerHandle } from '@presently/presence-core';
import { roleChannel, roomChannel, userChannel } from '../socket/channels';
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
 * token restores everything.
 */
@Injectable()
export class SessionExpiry {
  constructor(
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** Watches a newly connected socket's token until it expires or the socket goes. */
  watch(socket: PresenceSocket): void {
    const { authenticated, expiresAt } = socket.data;
    if (!authenticated || expiresAt === undefined) return;
    const clock = this.registry.clock;
    let timer: TimerHandle | null = null;
    const check = () => {
      const remaining = expiresAt - clock.now();
      if (remaining > 0) {
        timer = clock.setTimer(Math.min(remaining, MAX_TIMER_MS), check);
      } else {
        timer = null;
        this.expire(socket);
      }
    };
    // Never from inside the connection handler: `session` goes out first.
    timer = clock.setTimer(Math.min(Math.max(0, expiresAt - clock.now()), MAX_TIMER_MS), check);
    socket.once('disconnect', () => {
      if (timer !== null) clock.clearTimer(timer);
    });
  }

  private expire(socket: PresenceSocket): void {
    if (!socket.connected) return;
    const result = this.registry.presence.revokeCredentials(socket.id);
    if (!result.ok) return;
    for (const room of result.rooms) socket.leave(roomChannel(room));
    socket.leave(userChannel(socket.data.userId));
    for (const role of socket.data.roles) socket.leave(roleChannel(role));
    socket.emit(Events.SessionExpired, { rooms: result.rooms });
    this.metrics.sent(Events.SessionExpired);
    this.metrics.sessionExpired();
  }
}

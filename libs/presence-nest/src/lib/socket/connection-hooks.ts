import { Injectable } from '@nestjs/common';
import { Events } from '@presently/protocol';
import { identityChannels } from './channels';
import { ConnectionAdmission } from '../access/connection-admission';
import { PresenceLifecycle } from '../hooks/presence-lifecycle';
import { PresenceMetrics } from '../hooks/presence-metrics';
import type { PresenceNamespace, PresenceSocket } from './presence-socket';
import { SessionExpiry } from '../access/session-expiry';
import { SlowReaderGuard } from './slow-reader-guard';

/**
 * Everything a `/presence` connection gets besides the registry, in the
 * gateway's order: `admit` (namespace middleware: connection limit and the
 * `authorize` hook), `accept` (emit channels, token expiry, the slow-reader
 * sweep's bookkeeping) and `connected` (the lifecycle event, once `session`
 * went out).
 */
@Injectable()
export class ConnectionHooks {
  constructor(
    private readonly admission: ConnectionAdmission,
    private readonly expiry: SessionExpiry,
    private readonly metrics: PresenceMetrics,
    private readonly events: PresenceLifecycle,
    private readonly slowReaders: SlowReaderGuard,
  ) {}

  /** Starts what watches every connection of the namespace at once (the slow-reader sweep). */
  attach(namespace: PresenceNamespace): void {
    this.slowReaders.start(namespace);
  }

  get admit() {
    return this.admission.middleware;
  }

  /** The client address an admitted socket counts against. */
  addressOf(socket: PresenceSocket): string | undefined {
    return this.admission.addressOf(socket);
  }

  accept(socket: PresenceSocket): void {
    socket.join(identityChannels(socket.data));
    this.expiry.watch(socket);
    socket.once('disconnect', (reason) => {
      this.expiry.forget(socket);
      this.slowReaders.forget(socket.id);
      // Who it is now: `session:token` may have changed it since it connected.
      this.events.disconnected(socket.id, socket.data, reason);
    });
  }

  connected(socket: PresenceSocket): void {
    this.metrics.sent(Events.Session);
    this.events.connected(socket.id, socket.data);
  }
}

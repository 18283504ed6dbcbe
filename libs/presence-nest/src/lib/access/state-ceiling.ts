import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes } from '@presently/protocol';
import type { ExtendedError } from 'socket.io';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PresenceRegistry } from '../presence-registry';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import type { PresenceSocket } from '../socket/presence-socket';

/** What a connection refused at the ceiling is told. */
export const STATE_FULL_MESSAGE = 'the server holds as much presence state as it may: try again later';

/**
 * The process-wide ceiling on presence state (`maxStateBytes`): once every
 * address together makes the registry hold that many bytes, new connections
 * are refused (`connect_error` `LIMIT_EXCEEDED`, a stream 503) while the
 * connected ones keep being served, each within its address's budget. Many
 * addresses (an IPv6 /48 holds 65,536 /64 networks) could each stay under
 * their own budget; this keeps their sum under the heap.
 */
@Injectable()
export class StateCeiling {
  private readonly logger = new Logger('StateCeiling');

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions,
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
  ) {}

  /** Whether a new connection may come in now. O(1). */
  admits(): boolean {
    const max = this.options.maxStateBytes ?? 0;
    return max === 0 || this.registry.presence.stateBytes() < max;
  }

  /** Namespace middleware, before any other: refuses a handshake at the ceiling. */
  readonly middleware = (_socket: PresenceSocket, next: (error?: ExtendedError) => void): void => {
    if (this.admits()) return next();
    this.refused();
    const error: ExtendedError = new Error(ErrorCodes.LimitExceeded);
    error.data = { code: ErrorCodes.LimitExceeded, message: STATE_FULL_MESSAGE };
    next(error);
  };

  /** Counts a connection refused at the ceiling (a handshake or a stream). */
  refused(): void {
    this.metrics.refused('STATE_FULL');
    this.logger.debug({ msg: 'connection refused', reason: 'state ceiling', stateBytes: this.registry.presence.stateBytes() });
  }
}

import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Events, rosterDigest } from '@presently/protocol';
import { Coalescer } from '@presently/presence-core';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { PresenceRegistry } from '../presence-registry';
import { roomChannel } from '../socket/channels';
import { Figures } from './figures';

/**
 * Rosters that heal by themselves: after a small room's member list
 * changed, its sockets get `room:digest` (the digest of the list as the
 * figures hold it then, `rosterDigest`), coalesced like `page:count`
 * (at once for a quiet room, then at most once per `countIntervalMs`, the
 * last state always sent). A client whose own list gives another digest
 * asks for a fresh one, whatever made it drift: a lost or reordered event,
 * an ack older than a push.
 *
 * The process that delivered the change sends the digest, to every
 * process's sockets (room events travel the same way). A large room (over
 * `ROSTER_MAX`) has no digest: its list is not kept member by member.
 */
@Injectable()
export class RoomDigests implements OnModuleDestroy {
  private readonly logger = new Logger('RoomDigests');
  private readonly coalescer: Coalescer<string>;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly metrics: PresenceMetrics,
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
  ) {
    this.coalescer = new Coalescer(registry.clock, options.countIntervalMs, (room) => this.announce(room));
    registry.onRoomChanged((room) => this.coalescer.touch(room));
  }

  onModuleDestroy(): void {
    this.coalescer.dispose();
  }

  /** Reads the room's list and sends its digest; true: something was sent (the interval starts). */
  private announce(room: string): boolean {
    const namespace = this.registry.namespace;
    if (!namespace) return false;
    void Promise.resolve(this.figures.roster(room)).then(
      ({ members, total }) => {
        if (total > members.length) return;
        namespace.to(roomChannel(room)).emit(Events.RoomDigest, { room, digest: rosterDigest(members) });
        this.metrics.sent(Events.RoomDigest);
      },
      (error: unknown) => this.logger.warn({ msg: 'room digest not sent', room, error: String(error) }),
    );
    return true;
  }
}

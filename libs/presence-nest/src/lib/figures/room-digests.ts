import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Events, rosterDigest } from '@presently/protocol';
import type { Clock, TimerHandle } from '@presently/presence-core';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { PresenceRegistry } from '../presence-registry';
import { roomChannel } from '../socket/channels';
import { Figures } from './figures';

/**
 * Rosters that heal by themselves: `countIntervalMs` after a small room's
 * member list changed (changes within that time merge into one), its
 * sockets get `room:digest`, the digest of the list as the figures hold it
 * then (`rosterDigest`). A client whose own list gives another digest asks
 * for a fresh one, whatever made it drift: a lost or reordered event, an
 * ack older than a push.
 *
 * The digest is read one interval after the change, never at once: in a
 * cluster, events of one member decided by two processes (a leave where it
 * was held, a join where it came back) can reach a socket in either order,
 * and a digest read at once by the first could arrive after the second's
 * and match a list that lost the later change. Read an interval later, it
 * holds both. The process that saw the change sends the digest, to every
 * process's sockets (room events travel the same way). A large room (over
 * `ROSTER_MAX`) has no digest: its list is not kept member by member.
 */
@Injectable()
export class RoomDigests implements OnModuleDestroy {
  private readonly logger = new Logger('RoomDigests');
  /** Rooms whose digest is due, each with its one timer. */
  private readonly due = new Map<string, TimerHandle>();
  private readonly clock: Clock;
  private readonly delayMs: number;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly metrics: PresenceMetrics,
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
  ) {
    this.clock = registry.clock;
    // At least a moment, even with COUNT_INTERVAL_MS=0: the other processes' events must have landed.
    this.delayMs = Math.max(options.countIntervalMs, 50);
    registry.onRoomChanged((room) => this.changed(room));
  }

  onModuleDestroy(): void {
    for (const timer of this.due.values()) this.clock.clearTimer(timer);
    this.due.clear();
  }

  private changed(room: string): void {
    if (this.due.has(room)) return;
    this.due.set(
      room,
      this.clock.setTimer(this.delayMs, () => {
        this.due.delete(room);
        this.announce(room);
      }),
    );
  }

  /** Reads the room's list and sends its digest. */
  private announce(room: string): void {
    const namespace = this.registry.namespace;
    if (!namespace) return;
    void Promise.resolve(this.figures.roster(room)).then(
      ({ members, total }) => {
        if (total > members.length) return;
        namespace.to(roomChannel(room)).emit(Events.RoomDigest, { room, digest: rosterDigest(members) });
        this.metrics.sent(Events.RoomDigest);
      },
      (error: unknown) => this.logger.warn({ msg: 'room digest not sent', room, error: String(error) }),
    );
  }
}

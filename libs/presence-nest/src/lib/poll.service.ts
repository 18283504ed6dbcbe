import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Events, type PollTallies } from '@presently/protocol';
import { Polls, type PollSink } from '@presently/presence-core';
import { pollChannel } from './channels';
import { PresenceMetrics } from './presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from './presence.options';
import type { PresenceNamespace } from './presence-socket';
import { PresenceService } from './presence.service';

/** Owns the live polls and sends their tallies to each poll's watchers. */
@Injectable()
export class PollService implements PollSink, OnModuleDestroy {
  readonly polls: Polls;
  /** Polls live in one process: with a cluster they are refused rather than tallied per process. */
  readonly available: boolean;
  private namespace: PresenceNamespace | null = null;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    presence: PresenceService,
    private readonly metrics: PresenceMetrics,
  ) {
    this.available = !presence.cluster;
    this.polls = new Polls(presence.clock, this, { countIntervalMs: options.countIntervalMs });
  }

  attach(namespace: PresenceNamespace): void {
    this.namespace = namespace;
  }

  pollTally(tallies: PollTallies): void {
    this.namespace?.to(pollChannel(tallies.poll)).emit(Events.PollTally, tallies);
    this.metrics.sent(Events.PollTally);
  }

  onModuleDestroy(): void {
    this.polls.dispose();
  }
}

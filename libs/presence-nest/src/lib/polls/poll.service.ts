import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ackError, ErrorCodes, Events, POLL_OPTIONS_MAX, POLLS_MAX, type PollTallies } from '@presently/protocol';
import { Polls, type PollSink, type PresenceCluster, type Result } from '@presently/presence-core';
import { pollChannel } from '../socket/channels';
import { ClusterAnnouncer } from '../figures/cluster/cluster-announcer';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import type { PresenceNamespace } from '../socket/presence-socket';
import { PresenceRegistry } from '../presence-registry';
import { PollChanges } from './poll-changes';

/**
 * Owns the live polls and sends their tallies to each poll's watchers. In one
 * process the tallies live in {@link Polls}; with a cluster they live in the
 * cluster store, and each process announces them to its own watchers,
 * coalesced like `page:count`. Who watches what is always this process's.
 */
@Injectable()
export class PollService implements PollSink, OnModuleDestroy {
  readonly polls: Polls;
  private readonly logger = new Logger('Polls');
  private readonly cluster: PresenceCluster | null;
  private readonly announcer: ClusterAnnouncer<string, PollTallies> | null = null;
  private namespace: PresenceNamespace | null = null;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
    changes: PollChanges,
  ) {
    this.polls = new Polls(registry.clock, this, { countIntervalMs: options.countIntervalMs });
    this.cluster = options.cluster ?? null;
    const cluster = this.cluster;
    if (cluster) {
      this.announcer = new ClusterAnnouncer(registry.clock, {
        intervalMs: options.countIntervalMs,
        read: (poll) => cluster.pollTallies(poll),
        same: (a, b) => votes(a) === votes(b),
        deliver: (poll, tallies) => {
          this.namespace?.local.to(pollChannel(poll)).emit(Events.PollTally, tallies);
          this.metrics.sent(Events.PollTally);
        },
        wanted: (poll) => (this.namespace?.adapter.rooms.get(pollChannel(poll))?.size ?? 0) > 0,
      });
      changes.changed$.subscribe((poll) => this.announcer?.touch(poll));
    }
  }

  attach(namespace: PresenceNamespace): void {
    this.namespace = namespace;
  }

  /** A poll's tallies as a new watcher is answered them. */
  tallies(poll: string, watcher: string): Result<PollTallies> | Promise<Result<PollTallies>> {
    const cluster = this.cluster;
    if (!cluster) return { ok: true, ...this.polls.tallies(poll) };
    return cluster.pollTallies(poll).then((tallies) => {
      this.announcer?.acked(poll, watcher, tallies);
      return { ok: true as const, ...tallies };
    }, unavailable(this.logger));
  }

  /** One vote; the tallies after it. */
  vote(poll: string, option: string, voter: string): Result<PollTallies> | Promise<Result<PollTallies>> {
    const cluster = this.cluster;
    if (!cluster) return this.polls.vote(poll, option);
    return cluster.pollVote(poll, option, { maxPolls: POLLS_MAX, maxOptions: POLL_OPTIONS_MAX }).then((vote): Result<PollTallies> => {
      if ('refused' in vote) {
        return ackError(ErrorCodes.LimitExceeded, vote.refused === 'polls' ? `at most ${POLLS_MAX} polls` : `at most ${POLL_OPTIONS_MAX} options per poll`);
      }
      const { tallies } = vote;
      this.announcer?.acked(poll, voter, tallies);
      return { ok: true, ...tallies };
    }, unavailable(this.logger));
  }

  /** The in-process tallies changed (one process only). */
  pollTally(tallies: PollTallies): void {
    this.namespace?.to(pollChannel(tallies.poll)).emit(Events.PollTally, tallies);
    this.metrics.sent(Events.PollTally);
  }

  onModuleDestroy(): void {
    this.polls.dispose();
    this.announcer?.dispose();
  }
}

function votes(tallies: PollTallies): number {
  let n = 0;
  for (const count of Object.values(tallies.tallies)) n += count;
  return n;
}

function unavailable(logger: Logger) {
  return (error: unknown) => {
    logger.debug({ msg: 'polls unavailable', error: String(error) });
    return ackError(ErrorCodes.Internal, 'polls are unavailable while the presence store is unreachable');
  };
}

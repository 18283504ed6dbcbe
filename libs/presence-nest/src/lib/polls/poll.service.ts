import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ackError, ErrorCodes, Events, POLL_OPTIONS_MAX, POLLS_MAX, type PollTallies } from '@presently/protocol';
import { Polls, undeclared, type PollDeclared, type PollSink, type PresenceCluster, type Result } from '@presently/presence-core';
import { pollChannel } from '../socket/channels';
import { ClusterAnnouncer } from '../figures/cluster/cluster-announcer';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import type { PresenceNamespace } from '../socket/presence-socket';
import { PresenceRegistry } from '../presence-registry';
import { PollChanges } from './poll-changes';

/**
 * Owns the live polls and sends their tallies to each poll's watchers. Polls
 * are declared by the application (`polls` option, `POST /api/polls`) and
 * closed by it; clients watch and vote in declared ones only. In one process
 * declarations and tallies live in {@link Polls}; with a cluster they live in
 * the cluster store (every process answers the same), and each process
 * announces tallies to its own watchers, coalesced like `page:count`. Who
 * watches what is always this process's: with a cluster, its {@link Polls}
 * mirrors the declared polls its sockets watch, and forgets one closed
 * anywhere.
 */
@Injectable()
export class PollService implements PollSink, OnModuleDestroy {
  readonly polls: Polls;
  private readonly logger = new Logger('Polls');
  private readonly cluster: PresenceCluster | null;
  private readonly announcer: ClusterAnnouncer<string, PollTallies> | null = null;
  private namespace: PresenceNamespace | null = null;
  private readonly maxPolls = POLLS_MAX;

  constructor(
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
    private readonly registry: PresenceRegistry,
    private readonly metrics: PresenceMetrics,
    changes: PollChanges,
  ) {
    this.polls = new Polls(registry.clock, this, { countIntervalMs: options.countIntervalMs, maxPolls: this.maxPolls });
    this.cluster = options.cluster ?? null;
    const cluster = this.cluster;
    const configured = options.polls ?? [];
    if (!cluster) for (const poll of configured) this.polls.declare(poll);
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
      // What was kept for a poll's watchers goes once none is left here.
      registry.onChannelDeleted((channel) => {
        if (channel.startsWith(pollChannel(''))) this.announcer?.unfollowed(channel.slice(pollChannel('').length));
      });
      changes.closed$.subscribe((poll) => this.polls.close(poll));
      changes.storeReady$.subscribe(() => {
        for (const poll of configured) {
          cluster.pollDeclare(poll, this.maxPolls).then(
            (outcome) => outcome === 'refused' && this.logger.warn({ msg: 'poll not declared: too many polls', poll }),
            (error: unknown) => this.logger.warn({ msg: 'poll not declared: store unavailable', poll, error: String(error) }),
          );
        }
      });
    }
  }

  /** Declares a poll (idempotent), or `LIMIT_EXCEEDED` past the most polls. */
  async declare(poll: string): Promise<Result<{ declared: PollDeclared }>> {
    if (!this.cluster) return this.polls.declare(poll);
    const outcome = await this.cluster.pollDeclare(poll, this.maxPolls);
    if (outcome === 'refused') return ackError(ErrorCodes.LimitExceeded, `at most ${this.maxPolls} polls`);
    return { ok: true, declared: outcome };
  }

  /**
   * Closes a declared poll: its watchers (on every process) receive its final
   * `poll:tally` with `closed: true` and watch it no longer; its tallies are
   * released. `null` when it was not declared.
   */
  async close(poll: string): Promise<PollTallies | null> {
    const local = this.polls.close(poll);
    const final = this.cluster ? await this.cluster.pollClose(poll) : (local?.final ?? null);
    if (!final) return null;
    const closed: PollTallies = { ...final, closed: true };
    // Through the adapter, so with a cluster every process's watchers get it, then leave the channel.
    this.namespace?.to(pollChannel(poll)).emit(Events.PollTally, closed);
    this.namespace?.in(pollChannel(poll)).socketsLeave(pollChannel(poll));
    this.metrics.sent(Events.PollTally);
    return closed;
  }

  /** A connection starts watching a declared poll; `FORBIDDEN` for any other. */
  async watch(poll: string, watcher: string): Promise<Result<PollTallies & { subscribe: boolean }>> {
    if (this.cluster) {
      const declared = await this.cluster.pollDeclared(poll).catch(() => null);
      if (declared === null) return ackError(ErrorCodes.Internal, 'polls are unavailable while the presence store is unreachable');
      if (!declared) return undeclared(poll);
      this.polls.declare(poll);
    }
    return this.polls.watch(watcher, poll);
  }

  attach(namespace: PresenceNamespace): void {
    this.namespace = namespace;
  }

  /** A poll's tallies as a new watcher is answered them. */
  tallies(poll: string, watcher: string): Result<PollTallies> | Promise<Result<PollTallies>> {
    const cluster = this.cluster;
    if (!cluster) return { ok: true, ...this.polls.tallies(poll) };
    return cluster.pollTallies(poll).then((tallies) => {
      this.noteAcked(poll, watcher, tallies);
      return { ok: true as const, ...tallies };
    }, unavailable(this.logger));
  }

  /** One vote; the tallies after it. */
  vote(poll: string, option: string, voter: string): Result<PollTallies> | Promise<Result<PollTallies>> {
    const cluster = this.cluster;
    if (!cluster) return this.polls.vote(poll, option);
    return cluster.pollVote(poll, option, { maxOptions: POLL_OPTIONS_MAX }).then((vote): Result<PollTallies> => {
      if ('refused' in vote) {
        return vote.refused === 'undeclared' ? undeclared(poll) : ackError(ErrorCodes.LimitExceeded, `at most ${POLL_OPTIONS_MAX} options per poll`);
      }
      const { tallies } = vote;
      this.noteAcked(poll, voter, tallies);
      return { ok: true, ...tallies };
    }, unavailable(this.logger));
  }

  /** The polls a connection watches. */
  watchedBy(watcher: string): string[] {
    return this.polls.watchedBy(watcher);
  }

  /**
   * What a watcher that stops listening (it went hidden) holds of each poll
   * it watches, as a count of votes (undefined: not known); it is owed
   * nothing more of them. In one process: the tallies last sent to the
   * poll's watchers (a later answer it had can only make it send more).
   */
  heldBy(watcher: string): Map<string, number | undefined> {
    const held = new Map<string, number | undefined>();
    for (const poll of this.polls.watchedBy(watcher)) {
      const announcer = this.announcer;
      if (!announcer) {
        held.set(poll, this.polls.sentVotes(poll));
        continue;
      }
      const tallies = announcer.lastFor(poll, watcher);
      held.set(poll, tallies && votes(tallies));
      announcer.forget(poll, watcher);
    }
    return held;
  }

  /**
   * The tallies of each poll a watcher that listens again watches, noted as
   * what it holds; with a cluster, those it was sent meanwhile (back in its
   * channels before the read) are left out when they are the same.
   */
  caughtUp(watcher: string): PollTallies[] | Promise<PollTallies[]> {
    const polls = this.polls.watchedBy(watcher);
    const cluster = this.cluster;
    const announcer = this.announcer;
    if (!cluster || !announcer) return polls.map((poll) => this.polls.tallies(poll));
    const mark = announcer.mark();
    return Promise.all(polls.map((poll) => cluster.pollTallies(poll))).then((all) => {
      const fresh = all.filter((tallies) => {
        const heard = announcer.deliveredSince(tallies.poll, mark);
        return !heard || votes(heard) !== votes(tallies);
      });
      for (const tallies of all) announcer.acked(tallies.poll, watcher, tallies, true);
      return fresh;
    });
  }

  /** A watcher was answered `tallies` (not noted for a hidden one: what it holds is kept apart). */
  private noteAcked(poll: string, watcher: string, tallies: PollTallies): void {
    if (this.registry.presence.listening(watcher)) this.announcer?.acked(poll, watcher, tallies, true);
  }

  /** A count of votes, what tells two tallies of one poll apart. */
  votes(tallies: PollTallies): number {
    return votes(tallies);
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

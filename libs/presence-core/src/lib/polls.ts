import {
  ackError,
  ErrorCodes,
  POLL_OPTIONS_MAX,
  POLLS_MAX,
  POLLS_WATCHED_PER_SOCKET,
  type PollTallies,
} from '@presently/protocol';
import type { Clock } from './clock';
import { Coalescer } from './coalescer';
import type { Result } from './presence';

/** Where poll tallies go: every connection watching `tallies.poll`. */
export interface PollSink {
  pollTally(tallies: PollTallies): void;
}

export interface PollOptions {
  countIntervalMs: number;
  /** Polls kept at once (default `POLLS_MAX`). */
  maxPolls?: number;
}

interface Poll {
  readonly counts: Map<string, number>;
  /** Votes so far; tallies only grow, so this tells whether anything changed. */
  votes: number;
  sentVotes: number;
}

/**
 * Live polls: click counts per option that the server keeps, announced to
 * watchers coalesced like page counts (one at once, then at most one per
 * interval with the latest tallies). Bounded: a poll has at most
 * `POLL_OPTIONS_MAX` options, the registry at most `maxPolls` polls, a
 * connection watches at most `POLLS_WATCHED_PER_SOCKET`. Watching a poll
 * nobody voted in keeps no state.
 */
export class Polls {
  private readonly polls = new Map<string, Poll>();
  /** connection → the polls it watches. */
  private readonly watching = new Map<string, Set<string>>();
  private readonly coalescer: Coalescer<string>;
  private readonly maxPolls: number;

  constructor(
    clock: Clock,
    private readonly sink: PollSink,
    options: PollOptions,
  ) {
    this.maxPolls = options.maxPolls ?? POLLS_MAX;
    this.coalescer = new Coalescer(clock, options.countIntervalMs, (poll) => this.send(poll));
  }

  watch(connection: string, poll: string): Result<PollTallies & { subscribe: boolean }> {
    let polls = this.watching.get(connection);
    const subscribe = !polls?.has(poll);
    if (subscribe) {
      if ((polls?.size ?? 0) >= POLLS_WATCHED_PER_SOCKET) {
        return ackError(ErrorCodes.LimitExceeded, `at most ${POLLS_WATCHED_PER_SOCKET} watched polls per connection`);
      }
      if (!polls) this.watching.set(connection, (polls = new Set()));
      polls.add(poll);
    }
    return { ok: true, ...this.tallies(poll), subscribe };
  }

  /** Idempotent. */
  unwatch(connection: string, poll: string): Result<{ unsubscribe: boolean }> {
    const polls = this.watching.get(connection);
    const unsubscribe = polls?.delete(poll) ?? false;
    if (polls?.size === 0) this.watching.delete(connection);
    return { ok: true, unsubscribe };
  }

  /** Counts one click for `option`. */
  vote(poll: string, option: string): Result<PollTallies> {
    let entry = this.polls.get(poll);
    if (!entry) {
      if (this.polls.size >= this.maxPolls) return ackError(ErrorCodes.LimitExceeded, `at most ${this.maxPolls} polls`);
      entry = { counts: new Map(), votes: 0, sentVotes: 0 };
      this.polls.set(poll, entry);
    }
    const current = entry.counts.get(option);
    if (current === undefined && entry.counts.size >= POLL_OPTIONS_MAX) {
      return ackError(ErrorCodes.LimitExceeded, `at most ${POLL_OPTIONS_MAX} options per poll`);
    }
    entry.counts.set(option, (current ?? 0) + 1);
    entry.votes++;
    this.coalescer.touch(poll);
    return { ok: true, ...this.tallies(poll) };
  }

  tallies(poll: string): PollTallies {
    const entry = this.polls.get(poll);
    return { poll, tallies: entry ? Object.fromEntries(entry.counts) : {} };
  }

  /** A connection went away: its watches end. */
  forget(connection: string): void {
    this.watching.delete(connection);
  }

  sizes(): { polls: number; watchers: number } {
    return { polls: this.polls.size, watchers: this.watching.size };
  }

  dispose(): void {
    this.coalescer.dispose();
  }

  private send(poll: string): boolean {
    const entry = this.polls.get(poll);
    if (!entry || entry.votes === entry.sentVotes) return false;
    entry.sentVotes = entry.votes;
    this.sink.pollTally(this.tallies(poll));
    return true;
  }
}

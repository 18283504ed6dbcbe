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

/** What declaring a poll did: `created` for a new one, `exists` for one already declared. */
export type PollDeclared = 'created' | 'exists';

export interface PollOptions {
  countIntervalMs: number;
  /** Polls declared at once (default `POLLS_MAX`). */
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
 * interval with the latest tallies). Polls are declared by the application
 * ({@link declare}); watching or voting in any other answers `FORBIDDEN`, so
 * no client creates state. Closing a poll drops its tallies and watchers,
 * after one last `closed` tally. Bounded: at most `maxPolls` declared polls,
 * `POLL_OPTIONS_MAX` options per poll, `POLLS_WATCHED_PER_SOCKET` watched
 * polls per connection.
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

  /** Declares a poll (idempotent); `LIMIT_EXCEEDED` past `maxPolls`. */
  declare(poll: string): Result<{ declared: PollDeclared }> {
    if (this.polls.has(poll)) return { ok: true, declared: 'exists' };
    if (this.polls.size >= this.maxPolls) return ackError(ErrorCodes.LimitExceeded, `at most ${this.maxPolls} polls`);
    this.polls.set(poll, { counts: new Map(), votes: 0, sentVotes: 0 });
    return { ok: true, declared: 'created' };
  }

  isDeclared(poll: string): boolean {
    return this.polls.has(poll);
  }

  /**
   * Closes a declared poll: its final tallies (with `closed: true`), and the
   * connections that watched it, which watch it no longer; `null` when it was
   * not declared. Its tallies are released.
   */
  close(poll: string): { final: PollTallies; watchers: string[] } | null {
    if (!this.polls.has(poll)) return null;
    const final: PollTallies = { ...this.tallies(poll), closed: true };
    this.polls.delete(poll);
    const watchers: string[] = [];
    for (const [connection, polls] of this.watching) {
      if (!polls.delete(poll)) continue;
      watchers.push(connection);
      if (polls.size === 0) this.watching.delete(connection);
    }
    return { final, watchers };
  }

  watch(connection: string, poll: string): Result<PollTallies & { subscribe: boolean }> {
    if (!this.polls.has(poll)) return undeclared(poll);
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
    const entry = this.polls.get(poll);
    if (!entry) return undeclared(poll);
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

  /** The polls a connection watches. O(its polls). */
  watchedBy(connection: string): string[] {
    return [...(this.watching.get(connection) ?? [])];
  }

  /**
   * The tallies last sent to a poll's watchers, as a count of votes (tallies
   * only grow, so the count tells them apart); 0 before any. A watcher holds
   * these, or later ones it was answered since.
   */
  sentVotes(poll: string): number {
    return this.polls.get(poll)?.sentVotes ?? 0;
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

/** The answer to a watch or vote of a poll the application did not declare. */
export function undeclared(poll: string) {
  return ackError(ErrorCodes.Forbidden, `poll ${JSON.stringify(poll.slice(0, 64))} is not declared`);
}

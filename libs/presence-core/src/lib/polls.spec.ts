import { ErrorCodes, POLL_OPTIONS_MAX, POLLS_WATCHED_PER_SOCKET, type AckError, type PollTallies } from '@presently/protocol';
import { Polls, type PollSink } from './polls';
import { ManualClock } from '../testing';

class Tallies implements PollSink {
  sent: PollTallies[] = [];
  pollTally(tallies: PollTallies): void {
    this.sent.push(tallies);
  }
}

describe('Polls', () => {
  let clock: ManualClock;
  let sink: Tallies;
  let polls: Polls;

  beforeEach(() => {
    clock = new ManualClock();
    sink = new Tallies();
    polls = new Polls(clock, sink, { countIntervalMs: 250, maxPolls: 3 });
    for (const poll of ['colour', 'p']) polls.declare(poll);
  });

  const errorCode = (result: { ok: boolean }) => (result as AckError).error.code;

  it('counts clicks per option and acks the tallies', () => {
    expect(polls.vote('colour', 'red')).toEqual({ ok: true, poll: 'colour', tallies: { red: 1 } });
    polls.vote('colour', 'red');
    expect(polls.vote('colour', 'blue')).toEqual({ ok: true, poll: 'colour', tallies: { red: 2, blue: 1 } });
    expect(polls.tallies('colour')).toEqual({ poll: 'colour', tallies: { red: 2, blue: 1 } });
  });

  it('answers a declared poll nobody voted in with empty tallies', () => {
    polls.declare('quiet');
    expect(polls.watch('a', 'quiet')).toEqual({ ok: true, poll: 'quiet', tallies: {}, subscribe: true });
  });

  it('refuses watching and voting in a poll that is not declared with FORBIDDEN, keeping no state', () => {
    expect(errorCode(polls.watch('a', 'made-up'))).toBe(ErrorCodes.Forbidden);
    expect(errorCode(polls.vote('made-up', 'red'))).toBe(ErrorCodes.Forbidden);
    expect(polls.sizes()).toEqual({ polls: 2, watchers: 0 });
    expect(polls.isDeclared('made-up')).toBe(false);
    clock.advance(1000);
    expect(sink.sent).toEqual([]);
  });

  it('declares idempotently, within the most polls', () => {
    expect(polls.declare('p')).toEqual({ ok: true, declared: 'exists' });
    expect(polls.declare('q')).toEqual({ ok: true, declared: 'created' });
    expect(errorCode(polls.declare('r'))).toBe(ErrorCodes.LimitExceeded);
    expect(polls.isDeclared('r')).toBe(false);
  });

  it('closes a poll: its final tallies marked closed, its watchers released, its tallies gone', () => {
    polls.vote('p', 'red');
    polls.watch('a', 'p');
    polls.watch('a', 'colour');
    polls.watch('b', 'p');
    expect(polls.close('p')).toEqual({ final: { poll: 'p', tallies: { red: 1 }, closed: true }, watchers: ['a', 'b'] });
    expect(polls.sizes()).toEqual({ polls: 1, watchers: 1 });
    expect(errorCode(polls.vote('p', 'red'))).toBe(ErrorCodes.Forbidden);
    expect(errorCode(polls.watch('c', 'p'))).toBe(ErrorCodes.Forbidden);
    expect(polls.close('p')).toBeNull();
    // Declared again, it starts from nothing.
    polls.declare('p');
    expect(polls.tallies('p')).toEqual({ poll: 'p', tallies: {} });
  });

  it('sends the first change at once and merges a burst into one trailing announcement', () => {
    polls.vote('p', 'red');
    clock.flush();
    expect(sink.sent).toEqual([{ poll: 'p', tallies: { red: 1 } }]);
    for (let i = 0; i < 50; i++) polls.vote('p', i % 2 ? 'red' : 'blue');
    clock.advance(100);
    expect(sink.sent).toHaveLength(1);
    clock.advance(150);
    expect(sink.sent).toEqual([
      { poll: 'p', tallies: { red: 1 } },
      { poll: 'p', tallies: { red: 26, blue: 25 } },
    ]);
    clock.advance(1000);
    expect(sink.sent).toHaveLength(2);
  });

  it('subscribes once per connection and poll, and unwatching is idempotent', () => {
    expect(polls.watch('a', 'p')).toMatchObject({ ok: true, subscribe: true });
    expect(polls.watch('a', 'p')).toMatchObject({ ok: true, subscribe: false });
    expect(polls.unwatch('a', 'p')).toEqual({ ok: true, unsubscribe: true });
    expect(polls.unwatch('a', 'p')).toEqual({ ok: true, unsubscribe: false });
    expect(polls.unwatch('b', 'never')).toEqual({ ok: true, unsubscribe: false });
    expect(polls.sizes().watchers).toBe(0);
  });

  it('limits the polls a connection watches', () => {
    polls = new Polls(clock, sink, { countIntervalMs: 250, maxPolls: POLLS_WATCHED_PER_SOCKET + 1 });
    for (let i = 0; i < POLLS_WATCHED_PER_SOCKET; i++) polls.declare(`p${i}`);
    polls.declare('one-more');
    for (let i = 0; i < POLLS_WATCHED_PER_SOCKET; i++) expect(polls.watch('a', `p${i}`).ok).toBe(true);
    expect(errorCode(polls.watch('a', 'one-more'))).toBe(ErrorCodes.LimitExceeded);
    expect(polls.watch('b', 'one-more').ok).toBe(true);
    polls.forget('a');
    expect(polls.watch('a', 'one-more').ok).toBe(true);
  });

  it('limits options per poll, changing nothing when refused', () => {
    for (let i = 0; i < POLL_OPTIONS_MAX; i++) polls.vote('p', `o${i}`);
    expect(errorCode(polls.vote('p', 'extra'))).toBe(ErrorCodes.LimitExceeded);
    expect(Object.keys(polls.tallies('p').tallies)).toHaveLength(POLL_OPTIONS_MAX);
    expect(polls.vote('p', 'o0').ok).toBe(true);
  });

  it('sends nothing after dispose', () => {
    polls.vote('p', 'red');
    polls.dispose();
    clock.advance(1000);
    expect(sink.sent).toEqual([]);
  });
});

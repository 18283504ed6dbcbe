import { DeadlineQueue } from './deadline-queue';
import { ManualClock } from '../testing';

describe('DeadlineQueue', () => {
  let clock: ManualClock;
  let expired: string[];
  let queue: DeadlineQueue<string>;

  beforeEach(() => {
    clock = new ManualClock();
    expired = [];
    queue = new DeadlineQueue(clock, 1000, (key) => expired.push(`${key}@${clock.now() - 1_700_000_000_000}`));
  });

  it('expires each key delayMs after it was last pushed, in that order, with one timer for all', () => {
    queue.push('a');
    clock.advance(100);
    queue.push('b');
    queue.push('c');
    expect(clock.pendingTimers).toBe(1);
    clock.advance(900);
    expect(expired).toEqual(['a@1000']);
    clock.advance(99);
    expect(expired).toEqual(['a@1000']);
    clock.advance(1);
    expect(expired).toEqual(['a@1000', 'b@1100', 'c@1100']);
    expect(queue.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('moves a key pushed again to the back, with a new deadline', () => {
    queue.push('a');
    queue.push('b');
    clock.advance(500);
    queue.push('a');
    expect(queue.first()).toBe('b');
    clock.advance(500);
    expect(expired).toEqual(['b@1000']);
    clock.advance(500);
    expect(expired).toEqual(['b@1000', 'a@1500']);
  });

  it('forgets a deleted key, and stops its timer once nothing is left', () => {
    queue.push('a');
    queue.push('b');
    expect(queue.delete('a')).toBe(true);
    expect(queue.delete('a')).toBe(false);
    expect(queue.has('a')).toBe(false);
    clock.advance(1000);
    expect(expired).toEqual(['b@1000']);
    queue.push('c');
    queue.delete('c');
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets an expiry push again: the key comes back at the end, on the same one timer', () => {
    const renewing = new DeadlineQueue<string>(clock, 1000, (key) => {
      expired.push(key);
      if (expired.length < 3) renewing.push(key);
    });
    renewing.push('x');
    clock.advance(5000);
    expect(expired).toEqual(['x', 'x', 'x']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops everything on dispose', () => {
    queue.push('a');
    queue.dispose();
    clock.advance(5000);
    expect(expired).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

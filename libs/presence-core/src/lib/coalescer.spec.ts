import { ManualClock } from '../testing';
import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  let clock: ManualClock;
  let sent: Array<{ key: string; at: number }>;
  let idle: Array<{ key: string; at: number }>;
  /** What `send` answers per key (default: it sent something). */
  let answers: Map<string, boolean>;
  let coalescer: Coalescer<string>;
  let start: number;

  const make = (intervalMs = 250) =>
    new Coalescer<string>(
      clock,
      intervalMs,
      (key) => {
        sent.push({ key, at: clock.now() - start });
        return answers.get(key) ?? true;
      },
      (key) => {
        idle.push({ key, at: clock.now() - start });
      },
    );

  beforeEach(() => {
    clock = new ManualClock();
    start = clock.now();
    sent = [];
    idle = [];
    answers = new Map();
    coalescer = make();
  });

  it('sends the first change of a quiet key once the current task is done (leading edge)', () => {
    coalescer.touch('a');
    expect(sent).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    clock.flush();
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
  });

  it('merges a burst of touches in one task into one send', () => {
    for (let i = 0; i < 50; i++) coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
  });

  it('merges the changes within the interval into one trailing send when it ends', () => {
    coalescer.touch('a');
    clock.flush();
    clock.advance(10);
    coalescer.touch('a');
    clock.advance(100);
    coalescer.touch('a');
    clock.advance(139);
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    clock.advance(1);
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'a', at: 250 },
    ]);
  });

  it('keeps rate-limiting while changes keep coming, one send per interval', () => {
    coalescer.touch('a');
    for (let t = 0; t < 1000; t += 10) {
      coalescer.touch('a');
      clock.advance(10);
    }
    clock.advance(1000);
    const times = sent.map((s) => s.at);
    expect(times).toEqual([0, 250, 500, 750, 1000]);
  });

  it('sends nothing at the end of a quiet interval and reports the key idle', () => {
    coalescer.touch('a');
    clock.flush();
    expect(idle).toEqual([]);
    clock.advance(250);
    expect(sent).toHaveLength(1);
    expect(idle).toEqual([{ key: 'a', at: 250 }]);
    expect(clock.pendingTimers).toBe(0);
    // Quiet again: the next change is a leading edge.
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'a', at: 250 },
    ]);
  });

  it('reports the key idle at once when send had nothing to send, and starts no interval', () => {
    answers.set('a', false);
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    expect(idle).toEqual([{ key: 'a', at: 0 }]);
    expect(clock.pendingTimers).toBe(0);
    // The next change is a leading edge again.
    answers.set('a', true);
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'a', at: 0 },
    ]);
  });

  it('reports idle after a trailing send that had nothing new', () => {
    coalescer.touch('a');
    clock.flush();
    coalescer.touch('a');
    answers.set('a', false);
    clock.advance(250);
    expect(sent.map((s) => s.at)).toEqual([0, 250]);
    expect(idle).toEqual([{ key: 'a', at: 250 }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('handles keys independently', () => {
    coalescer.touch('a');
    clock.flush();
    clock.advance(100);
    coalescer.touch('b');
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'b', at: 100 },
    ]);
    clock.advance(150);
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'b', at: 100 },
      { key: 'a', at: 250 },
    ]);
    clock.advance(1000);
    expect(sent).toHaveLength(3);
    expect(idle.map((i) => i.key).sort()).toEqual(['a', 'b']);
  });

  it('holds a change back while the key cools down, up to the end of the interval', () => {
    coalescer.touch('a');
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    clock.advance(249);
    coalescer.touch('a');
    clock.flush();
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    clock.advance(1);
    expect(sent).toEqual([
      { key: 'a', at: 0 },
      { key: 'a', at: 250 },
    ]);
    // That send started another interval: a change just before its end waits too.
    clock.advance(249);
    coalescer.touch('a');
    clock.flush();
    expect(sent).toHaveLength(2);
    clock.advance(1);
    expect(sent.map((s) => s.at)).toEqual([0, 250, 500]);
    expect(idle).toEqual([]);
  });

  it('with an interval of 0 sends every flush and keeps no timer', () => {
    coalescer = make(0);
    coalescer.touch('a');
    clock.flush();
    coalescer.touch('a');
    clock.flush();
    expect(sent).toHaveLength(2);
    expect(idle).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends nothing after dispose and clears its timers', () => {
    coalescer.touch('a');
    clock.flush();
    coalescer.touch('a'); // pending trailing edge
    coalescer.touch('b'); // queued leading edge, not flushed yet
    expect(clock.pendingTimers).toBe(1);
    coalescer.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    coalescer.touch('c');
    clock.advance(10_000);
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    expect(clock.pendingTimers).toBe(0);
    // Nothing of 'a' or 'c' is queued or cooling: a change of either is ignored too.
    coalescer.touch('a');
    coalescer.touch('c');
    clock.advance(10_000);
    expect(sent).toEqual([{ key: 'a', at: 0 }]);
    expect(idle).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

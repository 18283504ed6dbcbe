import { ManualClock } from '../testing/manual-clock';
import { SlowReaders } from './slow-readers';

const MAX = 4096;
const SLOW_MS = 1000;

function readers(options: { maxBufferedBytes?: number; slowMs?: number } = {}) {
  const clock = new ManualClock();
  const slow = new SlowReaders(clock, { maxBufferedBytes: MAX, slowMs: SLOW_MS, ...options });
  return { clock, slow };
}

describe('SlowReaders', () => {
  it('never cuts a connection at or below the bound, however long', () => {
    const { clock, slow } = readers();
    for (let i = 0; i < 100; i++) {
      expect(slow.sample('a', MAX)).toBe(false);
      clock.advance(500);
    }
    expect(slow.over).toBe(0);
  });

  it('cuts a connection that stays above the bound for longer than slowMs, not before', () => {
    const { clock, slow } = readers();
    expect(slow.sample('a', MAX + 1)).toBe(false);
    expect(slow.over).toBe(1);
    clock.advance(SLOW_MS);
    expect(slow.sample('a', MAX * 10)).toBe(false);
    clock.advance(1);
    expect(slow.sample('a', MAX + 1)).toBe(true);
    // Cut: forgotten, so a later sample starts afresh.
    expect(slow.over).toBe(0);
    expect(slow.sample('a', MAX + 1)).toBe(false);
  });

  it('forgives a connection that catches up for one sample', () => {
    const { clock, slow } = readers();
    slow.sample('a', MAX + 1);
    clock.advance(SLOW_MS - 100);
    expect(slow.sample('a', 0)).toBe(false);
    clock.advance(200);
    expect(slow.sample('a', MAX + 1)).toBe(false);
    clock.advance(SLOW_MS);
    expect(slow.sample('a', MAX + 1)).toBe(false);
    clock.advance(1);
    expect(slow.sample('a', MAX + 1)).toBe(true);
  });

  it('times each connection from when it was first seen above the bound', () => {
    const { clock, slow } = readers();
    slow.sample('a', MAX + 1);
    clock.advance(600);
    slow.sample('b', MAX + 1);
    expect(slow.over).toBe(2);
    clock.advance(401);
    expect([slow.sample('a', MAX + 1), slow.sample('b', MAX + 1)]).toEqual([true, false]);
    clock.advance(600);
    expect(slow.sample('b', MAX + 1)).toBe(true);
    expect(slow.over).toBe(0);
  });

  it('keeps nothing of a connection that went away', () => {
    const { clock, slow } = readers();
    slow.sample('a', MAX + 1);
    slow.forget('a');
    expect(slow.over).toBe(0);
    clock.advance(SLOW_MS + 1);
    expect(slow.sample('a', MAX + 1)).toBe(false);
  });

  it('cuts at the first sample above the bound when slowMs is 0', () => {
    const { slow } = readers({ slowMs: 0 });
    expect(slow.sample('a', MAX)).toBe(false);
    expect(slow.sample('a', MAX + 1)).toBe(true);
  });

  it('cuts no one without a bound (maxBufferedBytes 0)', () => {
    const { clock, slow } = readers({ maxBufferedBytes: 0 });
    expect(slow.enabled).toBe(false);
    slow.sample('a', 1e12);
    clock.advance(SLOW_MS * 10);
    expect(slow.sample('a', 1e12)).toBe(false);
    expect(slow.over).toBe(0);
  });

  it('samples a fifth of slowMs apart, between 50 ms and 1 s', () => {
    expect(readers({ slowMs: 500 }).slow.sweepIntervalMs).toBe(100);
    expect(readers({ slowMs: 5000 }).slow.sweepIntervalMs).toBe(1000);
    expect(readers({ slowMs: 60_000 }).slow.sweepIntervalMs).toBe(1000);
    expect(readers({ slowMs: 0 }).slow.sweepIntervalMs).toBe(50);
  });
});

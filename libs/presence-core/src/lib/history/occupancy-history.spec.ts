import { HISTORY_INTERVAL_MS as MINUTE, HISTORY_POINTS } from '@presently/protocol';
import { Presence } from '../presence';
import { anonymous, ManualClock, RecordingSink, registryUnderTest, seededRandom, TEST_OPTIONS, type RegistryUnderTest } from '../../testing';
import { minuteOf } from './minute-buckets';

const S = 1000;

describe('occupancy history', () => {
  let t: RegistryUnderTest;
  /** The start of a minute, where each test begins. */
  let t0: number;

  beforeEach(() => {
    t = registryUnderTest();
    t.clock.advance(minuteOf(t.clock.now()) + MINUTE - t.clock.now());
    t0 = t.clock.now();
  });

  afterEach(() => t.presence.dispose());

  /** White-box: the pages keeping history. */
  const pagesKept = (presence = t.presence) => (presence as unknown as { history: { size: number } }).history.size;

  /** Browser `clientId` opens a socket `id` on `page`. */
  const enter = (id: string, page = '/a', clientId = id) => {
    t.presence.connect(id, anonymous(clientId));
    expect(t.presence.enterPage(id, page).ok).toBe(true);
  };
  const leave = (id: string, page = '/a') => t.presence.leavePage(id, page);
  /** Moves the clock to `ms` after t0. */
  const at = (ms: number) => t.clock.advance(t0 + ms - t.clock.now());

  it('answers the current minute: the most viewers in it, and the time-weighted mean of the part that has passed', () => {
    enter('a');
    at(15 * S);
    enter('b');
    at(30 * S);
    enter('c');
    at(40 * S);
    // (1 × 15 s + 2 × 15 s + 3 × 10 s) / 40 s
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 3, mean: 1.88 }]);
    leave('c');
    at(45 * S);
    // (1 × 15 s + 2 × 15 s + 3 × 10 s + 2 × 5 s) / 45 s
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 3, mean: 1.89 }]);
  });

  it('counts viewers, not connections: two tabs of one browser are one viewer', () => {
    enter('tab-1', '/a', 'browser-1');
    enter('tab-2', '/a', 'browser-1');
    at(30 * S);
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 1, mean: 1 }]);
  });

  it('closes past minutes over the whole minute, and carries the viewers across minutes without any change', () => {
    at(30 * S);
    enter('a');
    at(45 * S);
    enter('b');
    at(MINUTE + 15 * S);
    leave('b');
    at(3 * MINUTE + 20 * S);
    expect(t.presence.pageHistory('/a')).toEqual([
      // 1 × 15 s + 2 × 15 s over the minute
      { t: t0, peak: 2, mean: 0.75 },
      // 2 × 15 s + 1 × 45 s
      { t: t0 + MINUTE, peak: 2, mean: 1.25 },
      { t: t0 + 2 * MINUTE, peak: 1, mean: 1 },
      { t: t0 + 3 * MINUTE, peak: 1, mean: 1 },
    ]);
  });

  it('omits the minutes without viewers', () => {
    enter('a');
    at(30 * S);
    leave('a');
    at(3 * MINUTE + 30 * S);
    enter('a');
    at(3 * MINUTE + 40 * S);
    expect(t.presence.pageHistory('/a')).toEqual([
      { t: t0, peak: 1, mean: 0.5 },
      // 10 s out of the 40 s passed
      { t: t0 + 3 * MINUTE, peak: 1, mean: 0.25 },
    ]);
    expect(t.presence.pageHistory('/never-visited')).toEqual([]);
  });

  it('counts a visit shorter than a minute, even one of no time at all, in its peak', () => {
    at(10 * S);
    enter('a');
    leave('a');
    at(20 * S);
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 1, mean: 0 }]);
  });

  it('answers the last hour only: 60 points at most, the current minute last', () => {
    enter('a');
    at(90 * MINUTE + 30 * S);
    const points = t.presence.pageHistory('/a');
    expect(points).toHaveLength(HISTORY_POINTS);
    expect(points[0]).toEqual({ t: t0 + 31 * MINUTE, peak: 1, mean: 1 });
    expect(points.at(-1)).toEqual({ t: t0 + 90 * MINUTE, peak: 1, mean: 1 });
  });

  it('keeps nothing for a page an hour after its last viewer left', () => {
    enter('a');
    at(30 * S);
    leave('a');
    at(59 * MINUTE + 59 * S);
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 1, mean: 0.5 }]);
    expect(pagesKept()).toBe(1);
    at(60 * MINUTE);
    expect(t.presence.pageHistory('/a')).toEqual([]);
    expect(pagesKept()).toBe(0);
  });

  it('forgets empty pages as other pages change, without any timer', () => {
    for (let i = 0; i < 5; i++) {
      enter(`v${i}`, `/p${i}`);
      leave(`v${i}`, `/p${i}`);
    }
    expect(pagesKept()).toBe(5);
    at(60 * MINUTE);
    enter('late', '/other');
    expect(pagesKept()).toBe(1);
  });

  it('does not dip for a reload within the grace period', () => {
    enter('a', '/a', 'browser-1');
    at(10 * S);
    t.presence.disconnect('a');
    at(12 * S);
    enter('a-again', '/a', 'browser-1');
    at(30 * S);
    expect(t.presence.pageHistory('/a')).toEqual([{ t: t0, peak: 1, mean: 1 }]);
  });

  describe('at most HISTORY_PAGES pages, the busiest', () => {
    let bounded: Presence;
    let clock: ManualClock;

    beforeEach(() => {
      clock = new ManualClock(t0);
      bounded = new Presence(clock, new RecordingSink(), { ...TEST_OPTIONS, historyPages: 2 });
    });

    afterEach(() => bounded.dispose());

    const visit = (id: string, page: string) => {
      bounded.connect(id, anonymous(id));
      expect(bounded.enterPage(id, page).ok).toBe(true);
    };

    it('a page busier than the least busy page keeping history takes its place; a tie does not', () => {
      visit('a1', '/a');
      visit('a2', '/a');
      visit('b1', '/b');
      clock.advance(10 * S);
      visit('c1', '/c');
      clock.advance(10 * S);
      expect(bounded.pageHistory('/c')).toEqual([]);
      expect(bounded.pageHistory('/b')).toHaveLength(1);
      visit('c2', '/c');
      clock.advance(10 * S);
      expect(pagesKept(bounded)).toBe(2);
      expect(bounded.pageHistory('/b')).toEqual([]);
      // Its history starts when it took the place.
      expect(bounded.pageHistory('/c')).toEqual([{ t: t0, peak: 2, mean: 0.67 }]);
      expect(bounded.pageHistory('/a')).toEqual([{ t: t0, peak: 2, mean: 2 }]);
    });

    it('an empty page is the least busy, the one emptied longest ago first', () => {
      visit('a1', '/a');
      visit('b1', '/b');
      bounded.leavePage('a1', '/a');
      clock.advance(S);
      bounded.leavePage('b1', '/b');
      visit('c1', '/c');
      expect(bounded.pageHistory('/a')).toEqual([]);
      expect(bounded.pageHistory('/b')).toHaveLength(1);
      expect(bounded.pageHistory('/c')).toHaveLength(1);
    });

    it('keeps none with HISTORY_PAGES 0', () => {
      const none = new Presence(clock, new RecordingSink(), { ...TEST_OPTIONS, historyPages: 0 });
      none.connect('a', anonymous('a'));
      none.enterPage('a', '/a');
      expect(none.pageHistory('/a')).toEqual([]);
      none.dispose();
    });
  });

  it('keeps none in a cluster registry (Redis keeps it)', () => {
    const clustered = new Presence(t.clock, null, TEST_OPTIONS);
    clustered.connect('a', anonymous('a'));
    clustered.enterPage('a', '/a');
    expect(clustered.pageHistory('/a')).toEqual([]);
    clustered.dispose();
  });
});

describe('occupancy history against a model', () => {
  /** Each page's viewers over time, as (moment, viewers) steps: the model computes every minute by brute force. */
  function modelPoints(steps: readonly [number, number][], now: number) {
    const current = minuteOf(now);
    const points: { t: number; peak: number; mean: number }[] = [];
    for (let t = current - (HISTORY_POINTS - 1) * MINUTE; t <= current; t += MINUTE) {
      const end = Math.min(now, t + MINUTE);
      let peak = 0;
      let integral = 0;
      for (let i = 0; i < steps.length; i++) {
        const [from, viewers] = steps[i];
        const last = i + 1 === steps.length;
        const until = last ? now : steps[i + 1][0];
        // In the minute: reached within it, or held into it (the viewers now are there, even at its first instant).
        if (viewers > 0 && from < t + MINUTE && (from >= t || until > t || last)) peak = Math.max(peak, viewers);
        integral += viewers * Math.max(0, Math.min(until, end) - Math.max(from, t));
      }
      if (peak === 0) continue;
      const elapsed = end - t;
      const level = steps.at(-1)?.[1] ?? 0;
      points.push({ t, peak, mean: Math.round((elapsed > 0 ? integral / elapsed : level) * 100) / 100 });
    }
    return points;
  }

  it.each([1, 2, 3, 4, 5])('answers what the model computes under random traffic (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const clock = new ManualClock(1_700_000_000_000 + Math.floor(random() * MINUTE));
    const presence = new Presence(clock, new RecordingSink(), TEST_OPTIONS);
    const pages = ['/p0', '/p1', '/p2'];
    const steps = new Map<string, [number, number][]>(pages.map((page) => [page, []]));
    const sockets: { id: string; page: string }[] = [];
    let next = 0;
    const note = (page: string) => {
      const list = steps.get(page)!;
      const viewers = presence.pageCounts(page).viewers;
      if (list.at(-1)?.[1] !== viewers) list.push([clock.now(), viewers]);
    };
    for (let step = 0; step < 400; step++) {
      const roll = random();
      if (roll < 0.45 || sockets.length === 0) {
        const page = pages[Math.floor(random() * pages.length)];
        const id = `s${next++}`;
        // A few browsers, several tabs each: viewers are distinct browsers.
        presence.connect(id, anonymous(`browser-${Math.floor(random() * 6)}`));
        presence.enterPage(id, page);
        sockets.push({ id, page });
        note(page);
      } else if (roll < 0.85) {
        const [{ id, page }] = sockets.splice(Math.floor(random() * sockets.length), 1);
        presence.leavePage(id, page);
        note(page);
      } else {
        // Quiet spells, from a moment to several minutes, now and then past the hour or to the very start of a minute.
        const edge = random() < 0.2;
        clock.advance(edge ? minuteOf(clock.now()) + MINUTE - clock.now() : Math.floor(random() * (random() < 0.05 ? 70 * MINUTE : 3 * MINUTE)));
      }
      if (step % 37 === 0) for (const page of pages) expect([page, presence.pageHistory(page)]).toEqual([page, modelPoints(steps.get(page)!, clock.now())]);
    }
    for (const page of pages) expect([page, presence.pageHistory(page)]).toEqual([page, modelPoints(steps.get(page)!, clock.now())]);
    presence.dispose();
  });
});

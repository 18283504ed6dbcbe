import { Presence } from '../lib/presence';
import type { Identity, PresenceLedger, PresenceOptions } from '../lib/types';
import { ManualClock } from './manual-clock';
import { RecordingOccupancy } from './recording-occupancy';
import { RecordingSink } from './recording-sink';

/** The registry's limits as the server sets them by default. */
export const TEST_OPTIONS: PresenceOptions = {
  graceMs: 5000,
  countIntervalMs: 250,
  statsIntervalMs: 1000,
  maxPagesPerSocket: 100,
  maxWatchedPerSocket: 1000,
  maxRoomsPerSocket: 100,
};

/** An anonymous browser, listed by its clientId (the registry does not derive public ids). */
export const anonymous = (clientId: string): Identity => ({ clientId, userId: clientId, name: null, roles: [], authenticated: false });

/** A signed-in user, named after its userId. */
export const signedIn = (clientId: string, userId: string, roles: string[] = []): Identity => ({ clientId, userId, name: userId, roles, authenticated: true });

/** A cluster ledger that hears `calls` (the rest it ignores), for tests of what a registry reports. */
export function ledgerHearing(calls: Partial<PresenceLedger>): PresenceLedger {
  const ignored = () => undefined;
  return { online: ignored, page: ignored, room: ignored, switchUser: ignored, hold: ignored, typing: ignored, activity: ignored, ...calls };
}

/**
 * A seeded generator (mulberry32) of numbers in [0, 1): the same seed gives
 * the same run, so a failing random test replays exactly.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A registry on a manual clock, recording what it announces. */
export interface RegistryUnderTest {
  clock: ManualClock;
  sink: RecordingSink;
  /** What the registry reported of who is present (a page's first and last viewer, each member's arrival and departure). */
  occupancy: RecordingOccupancy;
  presence: Presence;
  /** Lets every coalesced announcement go out, then forgets what was announced. */
  settle(): void;
}

export function registryUnderTest(options: PresenceOptions = TEST_OPTIONS): RegistryUnderTest {
  const clock = new ManualClock();
  const sink = new RecordingSink();
  const occupancy = new RecordingOccupancy();
  const presence = new Presence(clock, sink, options, null, occupancy);
  return {
    clock,
    sink,
    occupancy,
    presence,
    settle: () => {
      clock.advance(options.statsIntervalMs * 3);
      sink.take();
    },
  };
}

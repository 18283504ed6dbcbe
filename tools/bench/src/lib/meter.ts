import type { EventLoopDelay } from './server-metrics';
import type { RunningTarget } from './targets';

/** What the server spent over one measured phase. */
export interface Measurement {
  cpuSeconds: number;
  wallSeconds: number;
  /** Over the phase (two scrapes of `/metrics`); `null` when the server does not expose it. */
  eventLoop: EventLoopDelay | null;
  /** At the end of the phase. */
  rssBytes: number;
  peakRssBytes: number;
  /** The phase on the monotonic clock, in microseconds (as V8 CPU profiles time their samples). */
  window: [number, number];
}

export interface Meter {
  stop(): Promise<Measurement>;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Starts measuring a phase: resets the server's event-loop histogram (a
 * scrape) and samples its CPU time from `/proc`.
 */
export async function startMeter(target: RunningTarget): Promise<Meter> {
  await target.eventLoop();
  const before = target.sample();
  const startedAt = performance.now();
  const startUs = monotonicUs();
  return {
    stop: async () => {
      const after = target.sample();
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const endUs = monotonicUs();
      const eventLoop = await target.eventLoop();
      return {
        cpuSeconds: after.cpuSeconds - before.cpuSeconds,
        wallSeconds,
        eventLoop,
        rssBytes: after.rssBytes,
        peakRssBytes: after.peakRssBytes,
        window: [startUs, endUs],
      };
    },
  };
}

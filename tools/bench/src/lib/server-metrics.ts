/**
 * The event-loop delay a server reports on `GET /metrics`: prom-client's
 * `nodejs_eventloop_lag_{p50,p99,max}_seconds`, read from a
 * `monitorEventLoopDelay` histogram (10 ms resolution) that every scrape
 * resets. A scrape at the start of a phase and one at its end therefore give
 * the delay over that phase. Samples include the 10 ms resolution itself: an
 * idle loop reads about 10 ms.
 */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Scrapes `/metrics` and answers the event-loop delay since the previous scrape. */
export async function scrapeEventLoop(baseUrl: string, timeoutMs = 60_000): Promise<EventLoopDelay | null> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const text = await response.text();
    const read = (name: string) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
      return match ? Number(match[1]) * 1000 : NaN;
    };
    const delay = {
      p50Ms: read('nodejs_eventloop_lag_p50_seconds'),
      p99Ms: read('nodejs_eventloop_lag_p99_seconds'),
      maxMs: read('nodejs_eventloop_lag_max_seconds'),
    };
    return Number.isFinite(delay.p99Ms) ? delay : null;
  } catch {
    return null;
  }
}

/** The worst of several processes' delays. */
export function worstDelay(delays: readonly (EventLoopDelay | null)[]): EventLoopDelay | null {
  const known = delays.filter((d): d is EventLoopDelay => d !== null);
  if (known.length === 0) return null;
  return {
    p50Ms: Math.max(...known.map((d) => d.p50Ms)),
    p99Ms: Math.max(...known.map((d) => d.p99Ms)),
    maxMs: Math.max(...known.map((d) => d.maxMs)),
  };
}

/** Every unlabelled sample of a server's `GET /metrics` (gauges and counters), by name. */
export async function scrapeSamples(baseUrl: string, timeoutMs = 60_000): Promise<Map<string, number>> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

import type { PageEnterAck } from '@presently/protocol';
import type { SourceAddresses } from './addresses';
import { Fleet, request } from './fleet';
import { round } from './histogram';
import type { Measurement } from './meter';
import type { Figures } from './scenario';
import type { RunningTarget } from './targets';

/**
 * Loads the server's lazy paths (first handshake, first page) before its
 * baseline is taken, so that the measured phase pays only for the load.
 */
export async function warmUp(target: RunningTarget, addresses: SourceAddresses, clients = 20): Promise<void> {
  const fleet = new Fleet(addresses, 'warm-up');
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const socket = await fleet.connect(target.urls[i % target.urls.length], i);
      if (!socket) return;
      await request<PageEnterAck>(socket, 'page:enter', { page: '/warm-up' });
      // Left explicitly, so that nothing is held for a grace period.
      await request(socket, 'page:leave', { page: '/warm-up' });
    }),
  );
  fleet.close();
  if (fleet.failures > 0) throw new Error(`warm-up: ${fleet.failures} of ${clients} handshakes failed: ${[...fleet.errors.keys()].join(', ')}`);
}

/** The server-side figures every scenario reports. */
export function serverFigures(m: Measurement, baselineRssBytes: number, connections: number): Figures {
  return {
    cpuSeconds: round(m.cpuSeconds, 2),
    rssMb: round(m.rssBytes / 2 ** 20, 1),
    rssPerConnectionKb: connections > 0 ? round((m.rssBytes - baselineRssBytes) / 1024 / connections, 2) : null,
    eventLoopP99Ms: m.eventLoop ? round(m.eventLoop.p99Ms, 1) : null,
    eventLoopMaxMs: m.eventLoop ? round(m.eventLoop.maxMs, 1) : null,
    phaseSeconds: round(m.wallSeconds, 2),
  };
}

/** Notes about what the clients saw go wrong. */
export function fleetNotes(fleet: Fleet): string[] {
  return [...fleet.errors].map(([error, n]) => `${n}× ${error}`);
}

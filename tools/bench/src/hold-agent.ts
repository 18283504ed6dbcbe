import { SourceAddresses } from './lib/addresses';
import { Fleet, pool } from './lib/fleet';

/**
 * A load agent for `hold`: a child process that opens its share of idle
 * connections (a process may have at most 20,000 files open here) from its
 * own block of source addresses, and reports on them. Driven over IPC; exits
 * when told to or when its parent goes away.
 */
export type AgentRequest =
  | { type: 'open'; url: string; count: number; block: number; perAddress: number; concurrency: number; prefix: string }
  | { type: 'report' }
  | { type: 'close' };

export type AgentReply =
  | { type: 'opened'; connected: number; failed: number; connectP99Ms: number; errors: [string, number][] }
  | { type: 'report'; connected: number; unexpectedDisconnects: number; errors: [string, number][] }
  | { type: 'closed' };

let fleet: Fleet | null = null;

function reply(message: AgentReply): void {
  process.send?.(message);
}

process.on('message', (request: AgentRequest) => {
  switch (request.type) {
    case 'open': {
      const opened = new Fleet(new SourceAddresses(request.perAddress, request.block), request.prefix);
      fleet = opened;
      void pool(request.count, request.concurrency, async (i) => {
        await opened.connect(request.url, i);
      }).then(() =>
        reply({
          type: 'opened',
          connected: opened.sockets.length,
          failed: opened.failures,
          connectP99Ms: opened.connectLatency.summary().p99,
          errors: [...opened.errors],
        }),
      );
      return;
    }
    case 'report':
      reply({
        type: 'report',
        connected: fleet?.connected() ?? 0,
        unexpectedDisconnects: fleet?.unexpectedDisconnects ?? 0,
        errors: [...(fleet?.errors ?? [])],
      });
      return;
    case 'close':
      fleet?.close();
      reply({ type: 'closed' });
      // Let the close frames go out before exiting.
      setTimeout(() => process.exit(0), 200);
      return;
  }
});

process.on('disconnect', () => process.exit(0));

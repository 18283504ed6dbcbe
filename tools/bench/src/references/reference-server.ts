import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PRESENCE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '@presently/protocol';
import { Server, type Namespace, type Socket } from 'socket.io';

export type ReferenceNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;
export type ReferenceSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * What the two reference servers share: Socket.IO configured as Presently
 * configures it (websocket and polling, no per-message deflate, the same
 * frame limit), `GET /metrics` with the same event-loop gauges as
 * Presently's (a `monitorEventLoopDelay` histogram at 10 ms resolution,
 * reset by every scrape), the `{"msg":"listening","port":N}` line on
 * stdout, and a clean exit on SIGTERM (so `--cpu-prof` writes its profile).
 */
export function startReference(name: string, setup: (namespace: ReferenceNamespace) => void): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const http = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
      const lines = [
        ['nodejs_eventloop_lag_min_seconds', delay.min],
        ['nodejs_eventloop_lag_max_seconds', delay.max],
        ['nodejs_eventloop_lag_mean_seconds', delay.mean],
        ['nodejs_eventloop_lag_p50_seconds', delay.percentile(50)],
        ['nodejs_eventloop_lag_p90_seconds', delay.percentile(90)],
        ['nodejs_eventloop_lag_p99_seconds', delay.percentile(99)],
      ].map(([metric, ns]) => `# TYPE ${metric} gauge\n${metric} ${seconds(ns as number)}`);
      delay.reset();
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(`${lines.join('\n')}\n`);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":{"code":"NOT_FOUND","message":"not found"}}');
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 256 * 1024,
  });
  setup(io.of(PRESENCE_NAMESPACE));
  http.listen(Number(process.env.PORT ?? 0), () => {
    const { port } = http.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ level: 'info', reference: name, msg: 'listening', port })}\n`);
  });
  process.once('SIGTERM', () => {
    io.close();
    process.exit(0);
  });
}

/** The handshake's clientId when it is a string, else the socket's id (the bench always sends one). */
export function clientIdOf(socket: ReferenceSocket): string {
  const clientId = (socket.handshake.auth as { clientId?: unknown } | undefined)?.clientId;
  return typeof clientId === 'string' ? clientId : socket.id;
}

export function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 512;
}

export const badRequest = { ok: false as const, error: { code: 'BAD_REQUEST' as const, message: 'malformed payload' } };

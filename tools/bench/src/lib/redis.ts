import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { stopProcess, track } from './children';

/** A Redis for multi-process targets. */
export interface BenchRedis {
  url: string;
  /** Stops it for good (the run's cleanup). */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port, empty, as a restart does; resolves once it is ready again. `null` for a given `--redis-url`. */
  restart: ((whileDown?: () => Promise<void>) => Promise<void>) | null;
}

/** The given URL, or a `redis-server` started on a free port without persistence. */
export async function benchRedis(given: string | undefined): Promise<BenchRedis> {
  if (given) return { url: given, stop: async () => undefined, restart: null };
  const port = await freePort();
  let child = await startRedisServer(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopProcess(child, 5000),
    restart: async (whileDown) => {
      await stopProcess(child, 5000);
      await whileDown?.();
      child = await startRedisServer(port);
    },
  };
}

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start (${error.message}): give --redis-url`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

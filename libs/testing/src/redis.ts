import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll } from './client';
import { type RunningServer, startServer } from './server';
import { closeStreams } from './sse';

export const REDIS_SERVER = process.env.REDIS_SERVER || '/usr/bin/redis-server';

export interface RunningRedis {
  url: string;
  port: number;
  /** Stops redis-server (SIGTERM, nothing saved) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty, as after a restart. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder (afterAll). */
  dispose(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts TCP connections and answers PING on `port`. */
export async function untilAnswers(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a real `redis-server` on a free port in a temporary folder, without
 * persistence. `dispose()` it in `afterAll`.
 *
 * @example
 * const redis = await startRedis();
 * const server = await startServer({ REDIS_URL: redis.url });
 */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'presently-redis-'));
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const proc = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await untilAnswers(port);
  };
  const stop = async () => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A redis-server and server processes sharing it, for the enclosing `describe`. */
export interface TestCluster {
  readonly redis: RunningRedis;
  /** The processes started in beforeAll (filled in place, so it can be destructured). */
  readonly servers: RunningServer[];
  /** Starts one more process of the cluster (stopped in afterAll unless it died). */
  startProcess(): Promise<RunningServer>;
}

/**
 * Starts redis-server and `processes` servers with `env(redis)` before the
 * enclosing `describe`'s tests, closes every test socket and stream after
 * each test, and stops everything afterwards.
 *
 * @example
 * const cluster = useCluster(2, (redis) => ({ REDIS_URL: redis.url }));
 * it('…', async () => { const [a, b] = cluster.servers; … });
 */
export function useCluster(processes: number, env: (redis: RunningRedis) => Record<string, string>): TestCluster {
  let redis: RunningRedis | undefined;
  const servers: RunningServer[] = [];
  const extra: RunningServer[] = [];
  const cluster: TestCluster = {
    get redis() {
      if (!redis) throw new Error('redis-server is not running: use the cluster inside a test');
      return redis;
    },
    servers,
    startProcess: async () => {
      const server = await startServer(env(cluster.redis));
      extra.push(server);
      return server;
    },
  };
  beforeAll(async () => {
    redis = await startRedis();
    servers.push(...(await Promise.all(Array.from({ length: processes }, () => startServer(env(cluster.redis))))));
  });
  afterEach(() => {
    closeAll();
    closeStreams();
  });
  afterAll(async () => {
    await Promise.all([...servers, ...extra].map((server) => server.stop()));
    await redis?.dispose();
  });
  return cluster;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { until } from './helpers';
import { freePort, type TestCluster } from './redis';
import { WORKSPACE_ROOT } from './server';

export const HAPROXY = process.env.HAPROXY || '/usr/sbin/haproxy';
/** The balancer's configuration as the repository ships it (and `npm run start:cluster` runs it). */
export const HAPROXY_CONFIG = join(WORKSPACE_ROOT, 'tools/haproxy/presently.cfg');

/** The configuration's backends: processes whose `/readyz` is 200, and those that are not stopping. */
export type HaproxyBackend = 'presently_ready' | 'presently_serving';
/** The configuration's servers: `p1` is the first process given, `p2` the second. */
export type HaproxyServer = 'p1' | 'p2';

export interface RunningHaproxy {
  /** Where clients connect (loopback). */
  url: string;
  port: number;
  /** Every line HAProxy wrote so far (a process going down or up). */
  output: string[];
  /** The check status HAProxy gives `server` in `backend` now (`UP`, `DOWN`, `UP 1/2`, …). */
  status(backend: HaproxyBackend, server: HaproxyServer): Promise<string>;
  /** Waits until `server` is exactly `UP` or `DOWN` in `backend`. */
  untilStatus(backend: HaproxyBackend, server: HaproxyServer, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /** Stops HAProxy and removes its folder (afterAll). */
  stop(): Promise<void>;
}

/**
 * Starts Debian's HAProxy with the repository's configuration
 * (`tools/haproxy/presently.cfg`) on a free loopback port, in front of two
 * server processes, and resolves once it accepts connections and both are
 * `UP` in both backends. A second configuration file adds a stats socket,
 * through which {@link RunningHaproxy.status} reads the checks' verdicts.
 *
 * @example
 * const cluster = useCluster(2, (redis) => ({ REDIS_URL: redis.url, TRUST_PROXY: '1' }));
 * const balancer = await startHaproxy(cluster.servers);
 */
export async function startHaproxy(servers: readonly [{ port: number }, { port: number }] | readonly { port: number }[]): Promise<RunningHaproxy> {
  if (servers.length !== 2) throw new Error('the configuration has two servers');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'presently-haproxy-'));
  const statsSocket = join(dir, 'stats.sock');
  const statsConfig = join(dir, 'stats.cfg');
  writeFileSync(statsConfig, `global\n    stats socket ${statsSocket} mode 600 level user\n`);
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', HAPROXY_CONFIG, '-f', statsConfig], {
    env: {
      PATH: process.env.PATH ?? '',
      PRESENTLY_LISTEN: `127.0.0.1:${port}`,
      PRESENTLY_SERVER_1: `127.0.0.1:${servers[0].port}`,
      PRESENTLY_SERVER_2: `127.0.0.1:${servers[1].port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const status = async (backend: HaproxyBackend, server: HaproxyServer): Promise<string> => {
    const rows = (await statsCommand(statsSocket, 'show stat')).split('\n');
    const header = rows[0].replace(/^# /, '').split(',');
    const [proxy, name, state] = ['pxname', 'svname', 'status'].map((column) => header.indexOf(column));
    const row = rows.map((line) => line.split(',')).find((fields) => fields[proxy] === backend && fields[name] === server);
    if (!row) throw new Error(`HAProxy has no server ${backend}/${server}`);
    return row[state];
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await until(
      () => {
        if (!running) throw new Error(`haproxy exited:\n${output.join('\n')}`);
        return accepts(port);
      },
      `haproxy listens on ${port}`,
      20_000,
    );
    for (const backend of ['presently_ready', 'presently_serving'] as const) {
      for (const server of ['p1', 'p2'] as const) {
        // The stats socket may come a moment after the listener.
        await until(async () => (await status(backend, server).catch(() => '')) === 'UP', `${backend}/${server} is UP`, 20_000);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output,
    status,
    untilStatus: async (backend, server, wanted, timeoutMs = 20_000) => {
      let last = '';
      await until(
        async () => (last = await status(backend, server)) === wanted,
        `${backend}/${server} is ${wanted} (last ${last})`,
        timeoutMs,
      );
    },
    stop,
  };
}

/**
 * HAProxy with the repository's configuration in front of the first two
 * processes of `cluster`, for the enclosing `describe`: started after them
 * (beforeAll), stopped afterwards. Its members are valid inside tests.
 *
 * @example
 * const cluster = useCluster(2, (redis) => ({ REDIS_URL: redis.url, TRUST_PROXY: '1' }));
 * const balancer = useHaproxy(cluster);
 * it('…', async () => { await connect(balancer.url, { transports: ['polling'] }); });
 */
export function useHaproxy(cluster: TestCluster): RunningHaproxy {
  let running: RunningHaproxy | undefined;
  beforeAll(async () => {
    running = await startHaproxy(cluster.servers.slice(0, 2));
  });
  afterAll(async () => {
    await running?.stop();
  });
  const current = () => {
    if (!running) throw new Error('haproxy is not running: use it inside a test');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get port() {
      return current().port;
    },
    get output() {
      return current().output;
    },
    status: (backend, server) => current().status(backend, server),
    untilStatus: (backend, server, status, timeoutMs) => current().untilStatus(backend, server, status, timeoutMs),
    stop: () => current().stop(),
  };
}

/** Whether something accepts TCP connections on `port` (loopback). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/** Sends one command to HAProxy's stats socket and resolves with the whole answer. */
function statsCommand(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\n`));
    socket.once('end', () => resolve(answer));
  });
}

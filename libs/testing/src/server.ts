import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { closeAll } from './client';
import { closeEngineSessions } from './engine';
import { closeStreams } from './sse';

/** The workspace root, found from this file's place in it. */
export const WORKSPACE_ROOT = join(__dirname, '../../..');
export const SERVER_MAIN = join(WORKSPACE_ROOT, 'dist/apps/server/main.js');

export interface RunningServer {
  url: string;
  port: number;
  /** The environment it was started with (as given to `startServer`). */
  env: Record<string, string>;
  process: ChildProcess;
  /** Every line the server wrote to stdout and stderr so far. */
  output: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Starts the built server (`dist/apps/server/main.js`) on an ephemeral port
 * with the given environment, and resolves once it listens.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: build the server first`);
  const child = spawn(process.execPath, [SERVER_MAIN], {
    // The harness reads the port from the 'listening' line, logged at info. Every test
    // client comes from 127.0.0.1: the handshake rate per address is off unless a spec sets it.
    env: { PATH: process.env.PATH ?? '', PORT: '0', HANDSHAKES_PER_S: '0', ...env, LOG_LEVEL: env.LOG_LEVEL === 'debug' ? 'debug' : 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number') resolve(entry.port);
      } catch {
        // not a JSON line: kept in output
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output.join('\n')}`)));
  }).finally(() => clearTimeout(startTimer));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    env,
    process: child,
    output,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Stops `server` (SIGTERM, as a deployment would) and starts a new process on
 * the same port with the same environment (plus `env`), so that clients
 * reconnect to the same URL and find a server that remembers nothing.
 */
export async function restartServer(server: RunningServer, env: Record<string, string> = {}): Promise<RunningServer> {
  await server.stop();
  return startServer({ ...server.env, ...env, PORT: String(server.port) });
}

/**
 * Runs the server expecting it to refuse to start; resolves with its exit
 * code, the signal that ended it, and its output. A server that starts anyway
 * is killed after `timeoutMs` (`signal` then says so) instead of outliving
 * the test run.
 */
export function runServerExpectingExit(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    }),
  );
}

/**
 * Starts the built server for the enclosing `describe` (beforeAll), closes the
 * test's sockets after each test, and stops the server afterwards. The
 * returned handle's `url` is valid inside tests.
 */
export function useServer(env: Record<string, string> = {}): { readonly url: string } {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(env);
  });
  afterEach(() => {
    closeAll();
    closeStreams();
    closeEngineSessions();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get url() {
      if (!running) throw new Error('the server is not running: use its url inside a test');
      return running.url;
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopProcess, track } from './children';
import { listeningPorts, sampleProcesses, spareFileDescriptors, type ProcessSample } from './proc';
import { scrapeEventLoop, worstDelay, type EventLoopDelay } from './server-metrics';

/**
 * A server under test: how to start one process of it. Any command works
 * (`--server-cmd`): it gets `PORT=0` and the harness finds the port it
 * listens on, from a JSON line `{"msg":"listening","port":N}` on stdout when
 * it prints one, otherwise from `/proc/<pid>`. With `processes` > 1 the
 * command is started that many times (a cluster sharing presence through
 * `REDIS_URL`); clients are spread over the processes and every figure sums
 * (CPU, RSS) or takes the worst (event-loop delay) over them.
 */
export interface TargetSpec {
  /** The name in tables: `presently`, `bare`, `naive`, or the custom one. */
  name: string;
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  processes: number;
  /**
   * Runs this server with its scenario's client counts multiplied by this
   * (default 1): a reference too slow at full size runs smaller, and since
   * its costs only grow with the clients, its figures are then lower bounds.
   */
  scale?: number;
}

export interface StartOptions {
  /** Writes a V8 CPU profile per Node.js process into this directory (`node --cpu-prof`). */
  profileDir?: string;
  /** Names the profile files: `<label>-<process>.cpuprofile`. */
  label: string;
  /** More Node.js flags (Node.js servers only). */
  nodeFlags?: readonly string[];
}

export interface RunningTarget {
  readonly spec: TargetSpec;
  /** One base URL per process, `http://127.0.0.1:<port>`. */
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  /** Profile files written once stopped (with `profileDir`). */
  readonly profiles: readonly string[];
  /** CPU seconds and RSS from `/proc`, summed over the processes. */
  sample(): ProcessSample;
  /** The event-loop delay since the previous call (scrapes `/metrics`), worst process. */
  eventLoop(): Promise<EventLoopDelay | null>;
  /** File descriptors the fullest process may still open. */
  spareFileDescriptors(): number;
  /** Whether every process is still running. */
  alive(): boolean;
  /** Rejects as soon as a process exits before `stop()`, with its last lines. */
  readonly crashed: Promise<never>;
  /** The last lines the processes wrote. */
  output(): string;
  /** SIGTERM (SIGKILL after 20 s); resolves once every process exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const OUTPUT_LINES = 200;

interface Process {
  child: ChildProcess;
  pid: number;
  port: number;
  lines: string[];
}

export async function startTarget(spec: TargetSpec, options: StartOptions): Promise<RunningTarget> {
  const started: Process[] = [];
  try {
    for (let i = 0; i < spec.processes; i++) started.push(await startProcess(spec, options, i));
  } catch (error) {
    await Promise.all(started.map((p) => stopProcess(p.child, 5000)));
    throw error;
  }
  const pids = started.map((p) => p.pid);
  let stopping = false;
  const crashed = new Promise<never>((_, reject) => {
    for (const p of started) {
      p.child.once('exit', (code, signal) => {
        if (!stopping) reject(new Error(`${spec.name} exited (${signal ?? code}) during the run; its last lines:\n${p.lines.slice(-10).join('\n')}`));
      });
    }
  });
  // Only a race reads it: an unwatched crash is not an unhandled rejection.
  crashed.catch(() => undefined);
  const urls = started.map((p) => `http://127.0.0.1:${p.port}`);
  const dir = options.profileDir;
  const profiles = dir ? started.map((_, i) => join(dir, profileName(options.label, i))) : [];
  return {
    spec,
    urls,
    pids,
    profiles,
    sample: () => sampleProcesses(pids),
    eventLoop: async () => worstDelay(await Promise.all(urls.map((url) => scrapeEventLoop(url)))),
    spareFileDescriptors: () => Math.min(...pids.map(spareFileDescriptors)),
    alive: () => started.every((p) => p.child.exitCode === null && p.child.signalCode === null),
    output: () => started.map((p) => p.lines.join('\n')).join('\n'),
    crashed,
    stop: async () => {
      stopping = true;
      await Promise.all(started.map((p) => stopProcess(p.child, 20_000)));
    },
  };
}

function profileName(label: string, index: number): string {
  return `${label}-${index}.cpuprofile`;
}

async function startProcess(spec: TargetSpec, options: StartOptions, index: number): Promise<Process> {
  const [command, ...rest] = spec.command;
  const isNode = command === process.execPath;
  if (isNode && rest[0] && !existsSync(rest[0])) {
    throw new Error(`${rest[0]} is missing: build it first (npm run bench builds what it needs)`);
  }
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env, PORT: '0' };
  const args = isNode ? [...(options.nodeFlags ?? []), ...rest] : [...rest];
  if (options.profileDir && isNode) {
    // Node.js refuses --cpu-prof in NODE_OPTIONS: a custom command profiles itself.
    mkdirSync(options.profileDir, { recursive: true });
    args.unshift('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${profileName(options.label, index)}`);
  }
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not start ${command}`);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > OUTPUT_LINES) lines.shift();
  };
  const port = await new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, port = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (error) reject(error);
      else resolve(port);
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      const announced = listeningLine(line);
      if (announced) finish(null, announced);
    });
    createInterface({ input: child.stderr }).on('line', keep);
    // A server that logs nothing at its level (LOG_LEVEL=warn) is found through /proc.
    const poll = setInterval(() => {
      try {
        const ports = listeningPorts(pid);
        if (ports.length > 0) finish(null, ports[0]);
      } catch {
        // not started yet, or gone: the 'exit' handler answers
      }
    }, 50);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`${spec.name} did not listen within ${START_TIMEOUT_MS} ms:\n${lines.join('\n')}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      // Let the last output lines arrive before reporting them.
      setImmediate(() => finish(new Error(`${spec.name} exited (${signal ?? code}) before listening:\n${lines.join('\n')}`)));
    });
  });
  return { child, pid, port, lines };
}

function listeningLine(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === 'listening' && typeof entry.port === 'number' ? entry.port : null;
  } catch {
    return null;
  }
}

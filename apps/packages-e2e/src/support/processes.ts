import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Killed past this (ms); generous: this machine may be shared. */
  timeoutMs?: number;
}

export interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects, with everything it wrote, when it fails or outlives its timeout. */
export function run(command: string, args: readonly string[], { cwd, env, timeoutMs = 600_000 }: RunOptions): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${[command, ...args].join(' ')} (in ${cwd}) ended with ${signal ?? code}:\n${stdout}\n${stderr}`));
    });
  });
}

/** A process that serves on a port it names in a `{"msg":"listening","port":…}` line. */
export interface Listening {
  port: number;
  url: string;
  /** Every line it wrote so far, stdout and stderr. */
  output: string[];
  /** SIGTERM to it and its children; resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts a server process and resolves once it says where it listens. */
export async function startListening(command: string, args: readonly string[], { cwd, env, timeoutMs = 120_000 }: RunOptions): Promise<Listening> {
  // Its own process group, so that `npx` and the server it runs stop together.
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), timeoutMs);
  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number') resolve(entry.port);
      } catch {
        // not a JSON line: kept in the output
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('error', reject);
    exited.then(() => reject(new Error(`${[command, ...args].join(' ')} ended before listening:\n${output.join('\n')}`)));
  }).finally(() => clearTimeout(timer));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    output,
    stop: () => {
      stopGroup(child, 'SIGTERM');
      return exited;
    },
  };
}

/** Signals the process group `child` leads, if it still runs. */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The JSON lines a command wrote, parsed (other lines skipped). */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

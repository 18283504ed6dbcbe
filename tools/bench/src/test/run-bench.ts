import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../lib/report';

const ROOT = join(__dirname, '../../../..');
const MAIN = join(ROOT, 'dist/tools/bench/main.js');

/** The closing JSON line of a bench run. */
export interface BenchLine {
  bench: string;
  machine: { cores: number; node: string };
  settings: Record<string, unknown>;
  scenarios: ScenarioResult[];
}

const running = new Set<ChildProcess>();

/**
 * Runs the built harness (`dist/tools/bench/main.js`) with `args` and
 * resolves, once it exited, with its exit code, its stdout and its JSON line.
 */
export function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; line: BenchLine }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build it first (nx run bench:build)`);
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      running.delete(child);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code, stdout, stderr, line: JSON.parse(last) as BenchLine });
      } catch {
        reject(new Error(`no JSON line (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Stops runs a failed test left behind (the harness then stops its own servers). */
export function stopRuns(): void {
  for (const child of running) child.kill('SIGTERM');
}

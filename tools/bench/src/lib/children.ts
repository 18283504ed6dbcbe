import type { ChildProcess } from 'node:child_process';

/**
 * Every process the harness started (servers, load agents), so that none
 * outlives it: each is killed by its pid on exit, on SIGINT/SIGTERM and on a
 * crash.
 */
const running = new Set<ChildProcess>();
let installed = false;

export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!installed) install();
}

/** SIGKILLs every tracked process still running (synchronous, safe in an 'exit' handler). */
export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/** Sends `signal`, and SIGKILL if the process has not exited after `graceMs`; resolves once it exited. */
export function stopProcess(child: ChildProcess, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function install(): void {
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

import type { SourceAddresses } from './addresses';
import type { RunningTarget, TargetSpec } from './targets';

/** One scenario's figures for one server: named numbers (`null`: not measured). */
export type Figures = Record<string, number | null>;

export interface TargetOutcome {
  figures: Figures;
  /** What a reader of the table should know (scaled down, timeouts, errors seen by clients). */
  notes: string[];
  /** Set when the run against this server failed; its figures are partial. */
  error?: string;
  /** The server ran with its client counts multiplied by this (see `TargetSpec.scale`). */
  scale?: number;
  /** The measured phase on the monotonic clock (µs), to cut the CPU profile to it. */
  window?: [number, number];
  /** CPU profiles written by the server's processes (with `--profile`). */
  profiles?: string[];
}

/** A row of the comparison table. */
export interface Row {
  key: string;
  label: string;
  /** Presently's ratio to each reference is shown for this row. */
  ratio?: boolean;
}

export interface Check {
  /** The target, in words. */
  target: string;
  /** The measured value, in words. */
  measured: string;
  /** `null`: could not be decided (a reference did not run, or Presently failed). */
  pass: boolean | null;
}

/** A scenario parameter: its CLI flag, its full-size and `--quick` values, and whether `--scale` applies. */
export interface Parameter {
  full: number;
  quick: number;
  scaled?: boolean;
  help: string;
}

export type Parameters<K extends string> = Record<K, number>;

/** Settings shared by every scenario. */
export interface RunContext {
  /** The server's coalescing interval (`COUNT_INTERVAL_MS`), for the targets. */
  countIntervalMs: number;
  /** Clients whose handshake (and first request) are pending at once. */
  concurrency: number;
  seed: number;
  /** Redis for multi-process targets (`--redis-url`); unset: the harness starts one. */
  redisUrl?: string;
  addresses: SourceAddresses;
  /** The longest one server's run may take. */
  timeoutMs: number;
  /** Progress lines (stderr). */
  log(message: string): void;
  /** Registers what to undo once this server's run ends, however it ends (sockets, agents). */
  cleanup(undo: () => void | Promise<void>): void;
}

/**
 * A benchmark scenario: its parameters, how to run it against one server
 * (or, with `runAll`, against all of them at once), the table's rows and the
 * issue's targets as checks over the results of every server.
 */
export interface Scenario<K extends string = string> {
  name: string;
  parameters: Record<K, Parameter>;
  describe(p: Parameters<K>): string;
  rows: Row[];
  run?(target: RunningTarget, p: Parameters<K>, context: RunContext): Promise<TargetOutcome>;
  /** Runs against every server itself (starting and stopping them), instead of `run` on each in turn. */
  runAll?(specs: readonly TargetSpec[], p: Parameters<K>, context: RunContext, start: (spec: TargetSpec) => Promise<RunningTarget>): Promise<Record<string, TargetOutcome>>;
  /**
   * In `all`, run these references at these fractions of the client counts
   * (their figures there only inform, or bound a target from below), so that
   * every scenario fits the time `all` may take.
   */
  referenceScale?: Readonly<Record<string, number>>;
  /** Node.js flags the scenario needs on the servers (Node.js servers only). */
  nodeFlags?(): string[];
  /** Server-side settings the scenario needs (added to every target's environment). */
  env?(p: Parameters<K>): Record<string, string>;
  checks(results: Readonly<Record<string, TargetOutcome>>, p: Parameters<K>, context: RunContext): Check[];
  /** Why the scenario could not be measured at all, if so (the cluster before Redis mode). */
  pending?(results: Readonly<Record<string, TargetOutcome>>, p: Parameters<K>): string | undefined;
}

/** `p` with the parameters that `--scale` applies to multiplied by `factor`. */
export function scaleParameters<K extends string>(scenario: Scenario<K>, p: Parameters<K>, factor: number): Parameters<K> {
  const scaled = { ...p };
  for (const name of Object.keys(p) as K[]) {
    if (scenario.parameters[name].scaled) scaled[name] = Math.max(1, Math.round(p[name] * factor));
  }
  return scaled;
}

/** The figure `key` of server `name`, when that server ran and measured it. */
export function figure(results: Readonly<Record<string, TargetOutcome>>, name: string, key: string): number | null {
  const outcome = results[name];
  if (!outcome || outcome.error) return null;
  const value = outcome.figures[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A check whose values may be missing: undecided then. */
export function check(target: string, values: readonly (number | null)[], measured: (...v: number[]) => string, pass: (...v: number[]) => boolean): Check {
  if (values.some((v) => v === null)) return { target, measured: 'not measured', pass: null };
  const known = values as number[];
  return { target, measured: measured(...known), pass: pass(...known) };
}

/** Runs `work`, failing after `ms` with `what`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

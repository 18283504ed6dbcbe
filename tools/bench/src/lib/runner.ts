import { existsSync } from 'node:fs';
import { formatProfile, summarizeProfile } from './profile';
import { formatScenario, ratios, type ScenarioResult } from './report';
import { scaleParameters, withTimeout, type Parameters, type RunContext, type Scenario, type TargetOutcome } from './scenario';
import { startTarget, type RunningTarget, type TargetSpec } from './targets';

export interface RunOptions {
  /** Write CPU profiles of the servers here (`--profile`). */
  profileDir?: string;
  /** Print this many functions per profile. */
  profileTop: number;
  /** Print only the functions whose name matches. */
  profileMatch?: RegExp;
  /** Where the text goes (the table, the profiles). */
  print(text: string): void;
}

type Undo = () => void | Promise<void>;

/**
 * Runs one scenario against each server in turn (each started fresh and
 * stopped afterwards, whatever happens), or hands them all to the
 * scenario's `runAll`; then computes the ratios and checks and prints the
 * table (and profile summaries).
 */
export async function runScenario<K extends string>(
  scenario: Scenario<K>,
  specs: readonly TargetSpec[],
  p: Parameters<K>,
  base: Omit<RunContext, 'cleanup'>,
  options: RunOptions,
): Promise<ScenarioResult> {
  const extraEnv = scenario.env?.(p) ?? {};
  const started: { target: RunningTarget; name: string }[] = [];
  const start = async (spec: TargetSpec) => {
    const target = await startTarget({ ...spec, env: { ...spec.env, ...extraEnv } }, { profileDir: options.profileDir, label: `${scenario.name}-${spec.name}`, nodeFlags: scenario.nodeFlags?.() });
    started.push({ target, name: spec.name });
    return target;
  };
  let results: Record<string, TargetOutcome> = {};
  if (scenario.runAll) {
    const undo: Undo[] = [];
    try {
      const run = scenario.runAll(specs, p, { ...base, cleanup: (step) => void undo.push(step) }, start);
      results = await withTimeout(run, base.timeoutMs * Math.max(1, specs.length), scenario.name);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      results = Object.fromEntries(specs.map((spec) => [spec.name, { figures: {}, notes: [], error: message }]));
    } finally {
      await unwind(undo, started.splice(0).map((s) => s.target));
    }
  } else {
    for (const spec of specs) {
      base.log(`${scenario.name}: ${spec.name}`);
      const undo: Undo[] = [];
      let target: RunningTarget | undefined;
      try {
        if (!scenario.run) throw new Error(`${scenario.name} has neither run nor runAll`);
        const scale = spec.scale ?? 1;
        const own = scale === 1 ? p : scaleParameters(scenario, p, scale);
        target = await start(spec);
        const run = scenario.run(target, own, { ...base, cleanup: (step) => void undo.push(step) });
        const outcome = await withTimeout(Promise.race([run, target.crashed]), base.timeoutMs, `${scenario.name} on ${spec.name}`);
        if (scale !== 1) {
          outcome.scale = scale;
          outcome.notes.unshift(`ran at ${Math.round(scale * 100)} % of the clients (${JSON.stringify(own)}): its costs are lower bounds of the full-size ones`);
        }
        results[spec.name] = outcome;
      } catch (error) {
        const died = target && !target.alive() ? `\nthe server exited; its last lines:\n${target.output().split('\n').slice(-10).join('\n')}` : '';
        results[spec.name] = { figures: {}, notes: [], error: `${String((error as Error)?.message ?? error)}${died}` };
      } finally {
        await unwind(undo, target ? [target] : []);
        started.splice(0);
      }
      // The harness's own garbage (closed sockets) is not the next server's noise.
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.describe(p),
    parameters: p,
    results,
    ratios: ratios(scenario.rows, results),
    checks: scenario.checks(results, p, { ...base, cleanup: () => undefined }),
    pending: scenario.pending?.(results, p),
  };
  options.print(formatScenario(result, scenario.rows));
  if (options.profileDir) printProfiles(scenario.name, results, specs, options);
  return result;
}

async function unwind(undo: Undo[], targets: RunningTarget[]): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch {
      // cleaning up after a failure: the failure is what gets reported
    }
  }
  await Promise.all(targets.map((target) => target.stop()));
}

function printProfiles(scenario: string, results: Record<string, TargetOutcome>, specs: readonly TargetSpec[], options: RunOptions): void {
  for (const spec of specs) {
    const file = `${options.profileDir}/${scenario}-${spec.name}-0.cpuprofile`;
    if (!existsSync(file)) continue;
    const summary = summarizeProfile(file, results[spec.name]?.window, options.profileTop, options.profileMatch);
    results[spec.name].profiles = [file];
    options.print(formatProfile(summary, `${scenario} · ${spec.name}`));
  }
}

import { appendFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_LIMITS } from '@presently/protocol';
import { SourceAddresses } from './lib/addresses';
import { killAll } from './lib/children';
import { formatProfile, summarizeProfile } from './lib/profile';
import type { ScenarioResult } from './lib/report';
import { runScenario } from './lib/runner';
import type { Parameter, Scenario } from './lib/scenario';
import type { TargetSpec } from './lib/targets';
import { addressBudget } from './scenarios/address-budget';
import { badge } from './scenarios/badge';
import { churn } from './scenarios/churn';
import { cluster } from './scenarios/cluster';
import { heap } from './scenarios/heap';
import { hold } from './scenarios/hold';
import { hot } from './scenarios/hot';
import { passive } from './scenarios/passive';
import { resync } from './scenarios/resync';
import { room } from './scenarios/room';
import { soak } from './scenarios/soak';
import { storm } from './scenarios/storm';

/** What `all` runs, in order. */
const ALL = [storm, hot, churn, room, hold, cluster, resync] as Scenario[];
/** Besides: `badge` (rates chosen by watchers), `passive` (hidden sockets, protocol 1.1); diagnostics `heap`, `address-budget`; and `soak`, 10 minutes. */
const SCENARIOS = [...ALL, badge, heap, addressBudget, passive, soak] as Scenario[];
/** The workspace root, from this bundle's place in it (dist/tools/bench). */
const ROOT = resolve(__dirname, '../../..');

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const GLOBAL_OPTIONS = {
  quick: { type: 'boolean', help: 'tiny sizes: a smoke run of a few seconds' },
  scale: { type: 'string', help: 'multiply client counts by this factor (e.g. 0.2)' },
  'bare-scale': { type: 'string', help: 'run bare at this fraction of the clients (default 1; in all, per scenario)' },
  'naive-scale': { type: 'string', help: 'run naive at this fraction of the clients (default 1; in all, per scenario)' },
  targets: { type: 'string', help: 'servers to run, in order (default presently,bare,naive)' },
  'server-cmd': { type: 'string', help: 'benchmark this command as an extra server (gets PORT=0 and Presently\'s bench settings)' },
  'server-name': { type: 'string', help: 'its name in the table (default custom)' },
  'server-env': { type: 'string', multiple: true, help: 'KEY=VALUE for Presently and the custom server (repeatable)' },
  'redis-url': { type: 'string', help: 'Redis for multi-process targets (default: start redis-server)' },
  'count-interval': { type: 'string', help: `COUNT_INTERVAL_MS given to Presently (default ${DEFAULT_LIMITS.countIntervalMs})` },
  concurrency: { type: 'string', help: 'clients arriving at once (default 200)' },
  seed: { type: 'string', help: 'seed of the page picks (default 1)' },
  timeout: { type: 'string', help: 'seconds one server\'s run may take (default 900)' },
  profile: { type: 'boolean', help: 'run the servers under node --cpu-prof and summarise the profiles' },
  'profile-dir': { type: 'string', help: 'where profiles go (default bench/profiles/<time>)' },
  'profile-top': { type: 'string', help: 'functions listed per profile (default 15)' },
  'profile-match': { type: 'string', help: 'list only functions whose name or file matches this regular expression' },
  'profile-window': { type: 'string', help: 'profile: count only samples within START,END (µs, a scenario\'s "window" in the JSON line)' },
  out: { type: 'string', help: 'also append the JSON line to this file' },
  help: { type: 'boolean', help: 'this text' },
} as const;

function parameterOptions(): Record<string, { type: 'string'; help: string }> {
  const options: Record<string, { type: 'string'; help: string }> = {};
  for (const scenario of SCENARIOS) {
    for (const [name, parameter] of Object.entries<Parameter>(scenario.parameters)) {
      options[kebab(name)] ??= { type: 'string', help: `${parameter.help} (${scenario.name})` };
    }
  }
  return options;
}

function usage(): string {
  const lines = [
    'Usage: npm run bench -- <scenario|all> [options]',
    '       npm run bench -- profile <file.cpuprofile> [--profile-top N] [--profile-match REGEXP] [--profile-window START,END]',
    '',
    'Scenarios (full size; --quick value in brackets):',
  ];
  for (const scenario of SCENARIOS) {
    const p = Object.entries<Parameter>(scenario.parameters)
      .map(([name, parameter]) => `--${kebab(name)} ${parameter.full} [${parameter.quick}]`)
      .join(', ');
    lines.push(`  ${scenario.name.padEnd(8)} ${p}`);
  }
  lines.push(
    '  all      storm, hot, churn, room, hold, cluster and resync, in that order; the references run smaller where',
    '           they only inform or bound a target from below (storm, churn: naive 20 %; room: bare 40 %, naive 20 %)',
    '',
    'Options:',
  );
  for (const [name, option] of Object.entries({ ...GLOBAL_OPTIONS, ...parameterOptions() })) lines.push(`  --${name.padEnd(16)} ${option.help}`);
  return `${lines.join('\n')}\n`;
}

function number(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a non-negative number, not "${value}"`);
  return n;
}

function envPairs(pairs: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--server-env takes KEY=VALUE, not "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

async function main(argv: string[]): Promise<number> {
  const config = { args: argv, allowPositionals: true, strict: true, options: { ...GLOBAL_OPTIONS, ...parameterOptions() } } satisfies ParseArgsConfig;
  const { values, positionals } = parseArgs(config);
  const flags = values as Record<string, string | boolean | string[] | undefined>;
  const print = (text: string) => process.stdout.write(text);
  if (flags.help || positionals.length === 0) {
    print(usage());
    return positionals.length === 0 && !flags.help ? 2 : 0;
  }
  const [command, ...rest] = positionals;
  const profileTop = number(flags['profile-top'] as string | undefined, 15, 'profile-top');
  if (command === 'profile') {
    if (rest.length === 0) throw new Error('profile: give a .cpuprofile file');
    const match = flags['profile-match'] as string | undefined;
    const window = (flags['profile-window'] as string | undefined)?.split(',').map(Number);
    if (window && (window.length !== 2 || window.some((n) => !Number.isFinite(n)))) throw new Error('--profile-window takes START,END in µs');
    for (const file of rest) {
      print(formatProfile(summarizeProfile(file, window as [number, number] | undefined, profileTop, match ? new RegExp(match) : undefined), file));
    }
    return 0;
  }
  const scenarios = command === 'all' ? ALL : SCENARIOS.filter((s) => s.name === command);
  if (scenarios.length === 0) throw new Error(`unknown scenario "${command}": one of ${SCENARIOS.map((s) => s.name).join(', ')}, all, profile`);

  const countIntervalMs = number(flags['count-interval'] as string | undefined, DEFAULT_LIMITS.countIntervalMs, 'count-interval');
  const serverEnv = envPairs(flags['server-env'] as string[] | undefined);
  const benchEnv: Record<string, string> = {
    LOG_LEVEL: 'warn',
    // Every client comes from 127.0.0.0/8: no per-address limits, and rate limits far above any scenario's.
    MAX_CONNECTIONS_PER_IP: '0',
    HANDSHAKES_PER_S: '0',
    RATE_LIMIT_PER_S: '1000000',
    RATE_LIMIT_BURST: '1000000',
    COUNT_INTERVAL_MS: String(countIntervalMs),
    ...serverEnv,
  };
  const node = process.execPath;
  const catalog: Record<string, TargetSpec> = {
    presently: { name: 'presently', command: [node, join(ROOT, 'dist/apps/server/main.js')], env: benchEnv, processes: 1 },
    bare: { name: 'bare', command: [node, join(__dirname, 'bare.js')], env: {}, processes: 1 },
    naive: { name: 'naive', command: [node, join(__dirname, 'naive.js')], env: {}, processes: 1 },
  };
  const names = ((flags.targets as string | undefined) ?? 'presently,bare,naive').split(',').map((n) => n.trim()).filter(Boolean);
  const serverCmd = flags['server-cmd'] as string | undefined;
  if (serverCmd) {
    const name = (flags['server-name'] as string | undefined) ?? 'custom';
    catalog[name] = { name, command: ['/bin/sh', '-c', `exec ${serverCmd}`], env: benchEnv, processes: 1 };
    if (!names.includes(name)) names.push(name);
  }
  const specs = names.map((name) => {
    const spec = catalog[name];
    if (!spec) throw new Error(`unknown target "${name}": one of ${Object.keys(catalog).join(', ')}`);
    return spec;
  });

  const quick = flags.quick === true;
  const scale = number(flags.scale as string | undefined, 1, 'scale');
  const startedAt = new Date();
  const profileDir = flags.profile || flags['profile-dir']
    ? resolve((flags['profile-dir'] as string | undefined) ?? join(ROOT, 'bench/profiles', startedAt.toISOString().replace(/[:.]/g, '-')))
    : undefined;
  const base = {
    countIntervalMs,
    concurrency: Math.max(1, Math.round(number(flags.concurrency as string | undefined, 200, 'concurrency'))),
    seed: number(flags.seed as string | undefined, 1, 'seed'),
    redisUrl: flags['redis-url'] as string | undefined,
    addresses: new SourceAddresses(500),
    timeoutMs: number(flags.timeout as string | undefined, 900, 'timeout') * 1000,
    log: (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const p: Record<string, number> = {};
    for (const [name, parameter] of Object.entries<Parameter>(scenario.parameters)) {
      const given = flags[kebab(name)] as string | undefined;
      const size = quick ? parameter.quick : parameter.full;
      p[name] = given !== undefined ? number(given, size, kebab(name)) : parameter.scaled ? Math.max(1, Math.round(size * scale)) : size;
    }
    base.addresses.fresh();
    base.log(`${scenario.name}: ${scenario.describe(p)}`);
    const scaled = specs.map((spec) => {
      const given = flags[`${spec.name}-scale`] as string | undefined;
      const scale = given !== undefined ? number(given, 1, `${spec.name}-scale`) : command === 'all' ? (scenario.referenceScale?.[spec.name] ?? 1) : 1;
      return scale === 1 ? spec : { ...spec, scale };
    });
    const profileMatch = flags['profile-match'] ? new RegExp(flags['profile-match'] as string) : undefined;
    results.push(await runScenario(scenario, scaled, p, base, { profileDir, profileTop, profileMatch, print }));
  }

  if (quick) print('\n--quick: sizes far below the targets\' scale; the PASS/FAIL lines above only show that the harness runs.\n');
  const line = JSON.stringify({
    bench: 'presently',
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() },
    settings: { countIntervalMs, concurrency: base.concurrency, seed: base.seed, quick, scale, targets: names, profileDir: profileDir ?? null },
    scenarios: results,
  });
  print(`${line}\n`);
  const out = flags.out as string | undefined;
  if (out) appendFileSync(out, `${line}\n`);
  const failed = results.some((r) => Object.values(r.results).some((o) => o.error) && !r.pending);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.message ?? String(error)}\n`);
    killAll();
    process.exit(2);
  },
);

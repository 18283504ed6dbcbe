import { round } from '../lib/histogram';
import { benchRedis } from '../lib/redis';
import { check, figure, withTimeout, type Scenario, type TargetOutcome } from '../lib/scenario';
import type { TargetSpec } from '../lib/targets';
import { hot } from './hot';
import { storm } from './storm';

/** The name of the multi-process variant in the table. */
export const clusterName = (processes: number) => `presently×${processes}`;

/**
 * `cluster`: `storm` and `hot` against Presently as one process and as
 * several processes sharing presence through Redis (`REDIS_URL`), clients
 * spread over the processes round-robin, so that a hot page's watchers and
 * joiners sit on different processes and the join→seen latency is the
 * cross-process convergence time. Redis comes from `--redis-url`, or a
 * `redis-server` the harness starts on a free port. A variant that cannot
 * start (a server without a Redis mode, say) is reported as pending, with
 * the server's reason.
 */
export const cluster: Scenario<'clients' | 'pages' | 'watchers' | 'joiners' | 'joinRate' | 'processes'> = {
  name: 'cluster',
  parameters: {
    ...storm.parameters,
    ...hot.parameters,
    processes: { full: 2, quick: 2, help: 'server processes of the cluster (sharing presence through Redis)' },
  },
  describe: (p) => `storm (${p.clients} clients) and hot (${p.watchers} watchers, ${p.joiners} joiners) on 1 process and on ${p.processes} with Redis`,
  rows: [
    { key: 'stormClientsPerSecond', label: 'storm: clients/s', ratio: true },
    { key: 'stormAckP99Ms', label: 'storm: enter ack p99 (ms)', ratio: true },
    { key: 'stormCpuSeconds', label: 'storm: server CPU (s)', ratio: true },
    { key: 'hotSeenP99Ms', label: 'hot: join→seen p99 (ms)', ratio: true },
    { key: 'hotSeenMaxMs', label: 'hot: join→seen max (ms)', ratio: true },
    { key: 'hotUnseenJoins', label: 'hot: joins never seen by all' },
    { key: 'hotCpuSeconds', label: 'hot: server CPU (s)', ratio: true },
  ],

  async runAll(specs, p, context, start) {
    const presently = specs.find((spec) => spec.name === 'presently');
    if (!presently) throw new Error('the cluster scenario runs Presently: keep it in --targets');
    const outcomes: Record<string, TargetOutcome> = {};
    const redis = await benchRedis(context.redisUrl);
    context.cleanup(redis.stop);
    const variants: TargetSpec[] = [
      presently,
      { ...presently, name: clusterName(p.processes), processes: p.processes, env: { ...presently.env, REDIS_URL: redis.url } },
    ];
    for (const spec of variants) {
      const figures: TargetOutcome['figures'] = {};
      const notes: string[] = [];
      try {
        const target = await start(spec);
        for (const [prefix, scenario] of [
          ['storm', storm],
          ['hot', hot],
        ] as const) {
          const undo: (() => void | Promise<void>)[] = [];
          let outcome: TargetOutcome;
          try {
            const own = { ...context, cleanup: (step: () => void | Promise<void>) => void undo.push(step) };
            if (!scenario.run) throw new Error(`${prefix} cannot run on its own`);
            outcome = await withTimeout(scenario.run(target, p, own), context.timeoutMs, `${prefix} on ${spec.name}`);
          } finally {
            for (const step of undo.reverse()) await step();
          }
          for (const [key, value] of Object.entries(outcome.figures)) figures[`${prefix}${key[0].toUpperCase()}${key.slice(1)}`] = value;
          notes.push(...outcome.notes.map((note) => `${prefix}: ${note}`));
        }
        outcomes[spec.name] = { figures, notes };
      } catch (error) {
        outcomes[spec.name] = { figures, notes, error: String((error as Error)?.message ?? error) };
      }
    }
    return outcomes;
  },

  pending(results, p) {
    const error = results[clusterName(p.processes)]?.error;
    return error ? `${clusterName(p.processes)} did not run: ${error.split('\n').slice(0, 4).join(' ').replace(/\s+/g, ' ')}` : undefined;
  },

  checks(results, p, context) {
    const many = clusterName(p.processes);
    const f = (name: string, key: string) => figure(results, name, key);
    const interval = context.countIntervalMs;
    return [
      check(
        `${p.processes} processes reach ≥ 0.6× one process's storm throughput`,
        [f(many, 'stormClientsPerSecond'), f('presently', 'stormClientsPerSecond')],
        (m, o) => `${m}/s vs ${o}/s: ${round(m / o, 2)}×`,
        (m, o) => m >= 0.6 * o,
      ),
      check('counts converge across processes within 1 s (hot join→seen max)', [f(many, 'hotSeenMaxMs'), f(many, 'hotUnseenJoins')], (l, u) => `${l} ms, ${u} never seen`, (l, u) => l <= 1000 && u === 0),
      check(
        `p99 within +20 ms of one process plus ${interval} ms`,
        [f(many, 'stormAckP99Ms'), f('presently', 'stormAckP99Ms'), f(many, 'hotSeenP99Ms'), f('presently', 'hotSeenP99Ms')],
        (sm, so, hm, ho) => `enter ack ${sm} vs ${so} ms; join→seen ${hm} vs ${ho} ms`,
        (sm, so, hm, ho) => sm <= so + 20 + interval && hm <= ho + 20 + interval,
      ),
    ];
  },
};

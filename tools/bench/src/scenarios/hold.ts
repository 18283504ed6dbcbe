import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AgentReply, AgentRequest } from '../hold-agent';
import { track } from '../lib/children';
import { warmUp } from '../lib/common';
import { delay } from '../lib/fleet';
import { round } from '../lib/histogram';
import { startMeter, type Meter } from '../lib/meter';
import type { ProcessSample } from '../lib/proc';
import { check, figure, type Check, type RunContext, type Scenario, type TargetOutcome } from '../lib/scenario';
import type { RunningTarget } from '../lib/targets';

/** Connections per load agent (a process here may have 20,000 files open). */
const PER_AGENT = 5000;
/** Files a server keeps for itself besides its connections (logs, listening socket, pipes, V8). */
const SERVER_FD_RESERVE = 100;
const SAMPLE_EVERY_MS = 5000;

/** The next agent's block of source addresses (block 0 is the harness's own). */
let nextBlock = 1;

interface Held {
  target: RunningTarget;
  connections: number;
  agents: Agent[];
  baseline: ProcessSample;
  meter: Meter;
  peakRssBytes: number;
  connectSeconds: number;
  connectedAt: number;
  connectP99Ms: number;
  failed: number;
  notes: string[];
}

/**
 * `hold`: N idle connections on one server process for D seconds, opened
 * by load agents (child processes, 5,000 connections each, each from its
 * own source addresses). RSS per connection, and connections still up at
 * the end (none may drop). The servers are connected one after another and
 * then held at the same time: idle connections cost next to no CPU, so
 * holding them side by side changes none of the figures and saves minutes.
 * N is capped by the files the server may still open (its fd limit).
 */
export const hold: Scenario<'connections' | 'duration'> = {
  name: 'hold',
  parameters: {
    connections: { full: 20_000, quick: 200, scaled: true, help: 'idle connections' },
    duration: { full: 120, quick: 3, help: 'seconds they are held' },
  },
  describe: (p) => `${p.connections} idle connections held for ${p.duration} s`,
  rows: [
    { key: 'connections', label: 'connections opened' },
    { key: 'held', label: 'still connected at the end' },
    { key: 'unexpectedDisconnects', label: 'unexpected disconnects' },
    { key: 'heldSeconds', label: 'held for (s)' },
    { key: 'connectSeconds', label: 'time to connect all (s)', ratio: true },
    { key: 'rssMb', label: 'server RSS (MB)', ratio: true },
    { key: 'rssPerConnectionKb', label: 'RSS per connection (KB)', ratio: true },
    { key: 'peakRssPerConnectionKb', label: 'peak RSS per connection (KB)', ratio: true },
    { key: 'cpuSeconds', label: 'server CPU while held (s)', ratio: true },
    { key: 'eventLoopP99Ms', label: 'event-loop delay p99 (ms)', ratio: true },
  ],

  async runAll(specs, p, context, start) {
    const held: Held[] = [];
    const outcomes: Record<string, TargetOutcome> = {};
    for (const spec of specs) {
      try {
        const target = await start(spec);
        context.log(`hold: connecting ${spec.name}`);
        held.push(await connect(target, p.connections, context));
      } catch (error) {
        outcomes[spec.name] = { figures: {}, notes: [], error: String((error as Error)?.message ?? error) };
      }
    }
    context.log(`hold: holding ${held.map((h) => `${h.connections} on ${h.target.spec.name}`).join(', ')} for ${p.duration} s`);
    for (let elapsed = 0; elapsed < p.duration * 1000; elapsed += SAMPLE_EVERY_MS) {
      await delay(Math.min(SAMPLE_EVERY_MS, p.duration * 1000 - elapsed));
      for (const h of held) if (h.target.alive()) h.peakRssBytes = Math.max(h.peakRssBytes, h.target.sample().rssBytes);
    }
    for (const h of held) {
      const heldSeconds = (performance.now() - h.connectedAt) / 1000;
      const reports = await Promise.all(h.agents.map((agent) => agent.ask({ type: 'report' }, 'report')));
      const still = reports.reduce((n, r) => n + (r.type === 'report' ? r.connected : 0), 0);
      const dropped = reports.reduce((n, r) => n + (r.type === 'report' ? r.unexpectedDisconnects : 0), 0);
      const alive = h.target.alive();
      const m = alive ? await h.meter.stop() : null;
      const perConnection = (bytes: number) => (h.connections > 0 ? round((bytes - h.baseline.rssBytes) / 1024 / h.connections, 2) : null);
      if (!alive) h.notes.push('the server exited while holding');
      outcomes[h.target.spec.name] = {
        figures: {
          connections: h.connections,
          held: still,
          unexpectedDisconnects: dropped,
          failedHandshakes: h.failed,
          heldSeconds: round(heldSeconds, 0),
          connectSeconds: round(h.connectSeconds, 1),
          connectP99Ms: h.connectP99Ms,
          rssMb: m ? round(m.rssBytes / 2 ** 20, 1) : null,
          rssPerConnectionKb: m ? perConnection(m.rssBytes) : null,
          peakRssPerConnectionKb: perConnection(h.peakRssBytes),
          cpuSeconds: m ? round(m.cpuSeconds, 2) : null,
          eventLoopP99Ms: m?.eventLoop ? round(m.eventLoop.p99Ms, 1) : null,
        },
        notes: h.notes,
        window: m?.window,
      };
    }
    await Promise.all(held.flatMap((h) => h.agents.map((agent) => agent.close())));
    return outcomes;
  },

  checks(results, p) {
    const f = (name: string, key: string) => figure(results, name, key);
    const opened = f('presently', 'connections');
    // Fewer connections than asked (the fd limit): the count itself is undecided, not failed.
    const capped = (c: Check): Check => (opened !== null && opened < p.connections && c.pass ? { ...c, pass: null } : c);
    return [
      capped(
        check(
          `${p.connections} connections held for ${p.duration} s, none dropped`,
          [f('presently', 'connections'), f('presently', 'held'), f('presently', 'unexpectedDisconnects')],
          (c, h, d) => `${h} of ${c} held${c < p.connections ? ` (capped from ${p.connections}: fd limit)` : ''}, ${d} dropped`,
          (c, h, d) => h === c && d === 0,
        ),
      ),
      check('RSS ≤ 40 KB per connection', [f('presently', 'rssPerConnectionKb')], (r) => `${r} KB`, (r) => r <= 40),
    ];
  },
};

async function connect(target: RunningTarget, wanted: number, context: RunContext): Promise<Held> {
  const notes: string[] = [];
  const capacity = target.spareFileDescriptors() - SERVER_FD_RESERVE;
  const connections = Math.min(wanted, capacity);
  if (connections < wanted) {
    notes.push(`capped at ${connections} of ${wanted}: the server process may open ${capacity + SERVER_FD_RESERVE} more files (ulimit -n) and keeps ${SERVER_FD_RESERVE} for itself`);
  }
  await warmUp(target, context.addresses);
  const baseline = target.sample();
  const startedAt = performance.now();
  const count = Math.ceil(connections / PER_AGENT);
  const agents = Array.from({ length: count }, () => new Agent());
  context.cleanup(() => Promise.all(agents.map((agent) => agent.close())).then(() => undefined));
  const opened = await Promise.all(
    agents.map((agent, i) => {
      const share = Math.floor(connections / count) + (i < connections % count ? 1 : 0);
      return agent.ask(
        {
          type: 'open',
          url: target.urls[i % target.urls.length],
          count: share,
          block: nextBlock++,
          perAddress: 500,
          concurrency: Math.max(1, Math.ceil(context.concurrency / count)),
          prefix: `hold-${target.spec.name}-${i}`,
        },
        'opened',
      );
    }),
  );
  let failed = 0;
  let connectP99Ms = 0;
  for (const reply of opened) {
    if (reply.type !== 'opened') continue;
    failed += reply.failed;
    connectP99Ms = Math.max(connectP99Ms, reply.connectP99Ms);
    for (const [error, n] of reply.errors) notes.push(`${n}× ${error}`);
  }
  const connectSeconds = (performance.now() - startedAt) / 1000;
  const meter = await startMeter(target);
  return {
    target,
    connections,
    agents,
    baseline,
    meter,
    peakRssBytes: target.sample().rssBytes,
    connectSeconds,
    connectedAt: performance.now(),
    connectP99Ms,
    failed,
    notes,
  };
}

/** A load agent process (`hold-agent.js`, beside this bundle). */
class Agent {
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(join(__dirname, 'hold-agent.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(this.child);
  }

  ask(request: AgentRequest, expect: AgentReply['type']): Promise<AgentReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: AgentReply) => {
        if (reply.type !== expect) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null) => reject(new Error(`load agent exited (${code})`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(request);
    });
  }

  /** Asks the agent to close its connections and exit (SIGKILL if it has not after 10 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.child.connected) this.child.send({ type: 'close' } satisfies AgentRequest);
    else this.child.kill('SIGTERM');
    await exited;
  }
}

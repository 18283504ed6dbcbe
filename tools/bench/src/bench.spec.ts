import { runBench, stopRuns } from './test/run-bench';

/**
 * The harness end to end at a size CI affords: it starts the built server
 * and both references, drives them and reports. Figures are checked for
 * presence and consistency only: timing targets belong to the benchmark
 * report, never to a test.
 */
describe('npm run bench (smoke)', () => {
  afterEach(stopRuns);

  it('storm --quick reports every figure for Presently, bare and naive', async () => {
    const { code, stdout, line } = await runBench(['storm', '--quick', '--clients', '24', '--pages', '6']);
    expect(code).toBe(0);
    expect(line.bench).toBe('presently');
    expect(line.machine.cores).toBeGreaterThan(0);
    const [storm] = line.scenarios;
    expect(storm.scenario).toBe('storm');
    expect(storm.parameters).toEqual({ clients: 24, pages: 6 });
    expect(Object.keys(storm.results)).toEqual(['presently', 'bare', 'naive']);
    for (const outcome of Object.values(storm.results)) {
      expect(outcome.error).toBeUndefined();
      expect(outcome.figures).toEqual(
        expect.objectContaining({
          clients: 24,
          failedHandshakes: 0,
          unexpectedDisconnects: 0,
          ackP50Ms: expect.any(Number),
          ackP99Ms: expect.any(Number),
          cpuSeconds: expect.any(Number),
          rssMb: expect.any(Number),
          rssPerConnectionKb: expect.any(Number),
          eventLoopP99Ms: expect.any(Number),
          pushesPerClient: expect.any(Number),
        }),
      );
      expect(outcome.figures.ackP99Ms).toBeGreaterThanOrEqual(outcome.figures.ackP50Ms as number);
    }
    expect(Object.keys(storm.ratios)).toEqual(['presently/bare', 'presently/naive']);
    expect(storm.checks.map((c) => c.target)).toContain('server CPU ≤ 1.5× bare');
    for (const c of storm.checks) expect([true, false]).toContain(c.pass);
    // The table comes before the JSON line.
    expect(stdout).toContain('enter ack p99 (ms)');
  });

  it('hot --quick: every join reaches every watcher, Presently in fewer page:counts than joins', async () => {
    const { code, line } = await runBench(['hot', '--quick', '--watchers', '10', '--joiners', '6', '--targets', 'presently,bare']);
    expect(code).toBe(0);
    const [hot] = line.scenarios;
    for (const name of ['presently', 'bare']) {
      expect(hot.results[name].figures).toEqual(
        expect.objectContaining({ joins: 6, unseenJoins: 0, unexpectedDisconnects: 0, seenP99Ms: expect.any(Number), cpuSeconds: expect.any(Number) }),
      );
    }
    // Bare sends a count per join; Presently coalesces them.
    expect(hot.results.bare.figures.messagesPerWatcher).toBe(6);
    expect(hot.results.presently.figures.messagesPerWatcherMax).toBeLessThan(6);
  });

  it('heap --quick measures live heap per connection from snapshots', async () => {
    const { code, line } = await runBench(['heap', '--quick', '--clients', '20', '--targets', 'presently']);
    expect(code).toBe(0);
    const [heap] = line.scenarios;
    expect(heap.results.presently.figures).toEqual(expect.objectContaining({ clients: 20, heapPerConnectionKb: expect.any(Number), closuresPerConnection: expect.any(Number) }));
    expect(heap.results.presently.figures.heapPerConnectionKb as number).toBeGreaterThan(0);
  });

  it('address-budget --quick fills one address\'s budget and reports the heap it took', async () => {
    const { code, line } = await runBench(['address-budget', '--quick', '--sockets', '10', '--targets', 'presently']);
    expect(code).toBe(0);
    const [budget] = line.scenarios;
    const figures = budget.results.presently.figures;
    expect(figures).toEqual(expect.objectContaining({ sockets: 10, socketsHeapMb: expect.any(Number), heapGrowthMb: expect.any(Number) }));
    // 10 sockets at every per-socket limit ask for far more than 16 MiB: the budget refuses the rest.
    expect(figures.eventsRefused as number).toBeGreaterThan(0);
    expect(figures.accountedMb as number).toBeGreaterThan(15);
    expect(figures.accountedMb as number).toBeLessThanOrEqual(16);
  });

  it('soak --quick churns around a steady population and compares the settled heap, Maps and timers', async () => {
    const { code, line } = await runBench(['soak', '--quick', '--clients', '12', '--churners', '6', '--duration', '3', '--checkpoint', '1']);
    const [soak] = line.scenarios;
    expect(Object.keys(soak.results)).toEqual(['presently']);
    const outcome = soak.results.presently;
    expect(outcome.error).toBeUndefined();
    const figures = outcome.figures;
    expect(figures).toEqual(
      expect.objectContaining({
        steadyClients: 12,
        unexpectedDisconnects: 0,
        failedRequests: 0,
        heapCheckpointMb: expect.any(Number),
        heapEndMb: expect.any(Number),
        registryEntriesEnd: expect.any(Number),
        timersEnd: expect.any(Number),
        activeResourcesEnd: expect.any(Number),
      }),
    );
    // Every kind of churn happened: explicit leaves, disconnects without leaving, TCP cuts, returns.
    for (const kind of ['leaves', 'closes', 'cuts', 'returns', 'updates']) expect(figures[kind]).toBeGreaterThan(0);
    // The registry is read from the heap: each steady client is an entry of Presence.connections, of its room and of its page's set.
    expect(figures.registryEntriesEnd as number).toBeGreaterThanOrEqual(3 * 12);
    // Settled: the registry gauges hold the steady population and nothing held.
    expect(figures).toEqual(expect.objectContaining({ connectionsEnd: 12, heldEnd: 0, connectionsCheckpoint: 12, heldCheckpoint: 0 }));
    expect(soak.checks.map((c) => c.target)).toEqual([
      expect.stringContaining('live heap at the end within 5 %'),
      'every Map and Set of the registry back to its steady size',
      'no timer left behind',
      'registry gauges back to the steady population',
    ]);
    // Counts are exact, whatever the machine: the registry holds no ghost once settled. The heap and timers are the report's.
    expect(soak.checks.filter((c) => c.pass !== true).map((c) => c.target)).not.toContain('every Map and Set of the registry back to its steady size');
    expect(soak.checks.filter((c) => c.pass !== true).map((c) => c.target)).not.toContain('registry gauges back to the steady population');
    for (const c of soak.checks) expect([true, false]).toContain(c.pass);
    expect(code).toBe(0);
  });

  it('churn --quick leaves every client of Presently with the true count', async () => {
    const { code, line } = await runBench(['churn', '--quick', '--clients', '20', '--cycles', '30', '--duration', '1']);
    expect(code).toBe(0);
    const [churn] = line.scenarios;
    for (const name of ['presently', 'bare', 'naive']) {
      expect(churn.results[name].error).toBeUndefined();
      expect(churn.results[name].figures.checkedClients).toBeGreaterThanOrEqual(20);
      expect(churn.results[name].figures.mismatches).toEqual(expect.any(Number));
    }
    expect(churn.results.presently.figures.mismatches).toBe(0);
    expect(churn.results.presently.figures.cyclesCompleted).toBeGreaterThan(0);
    expect(churn.checks).toEqual([expect.objectContaining({ target: '0 mismatches for Presently', pass: true })]);
  });

  it('hold --quick opens its connections through load agents and keeps them all', async () => {
    const { code, line } = await runBench(['hold', '--quick', '--connections', '60', '--duration', '1', '--targets', 'presently,bare']);
    expect(code).toBe(0);
    const [hold] = line.scenarios;
    for (const name of ['presently', 'bare']) {
      expect(hold.results[name].figures).toEqual(expect.objectContaining({ connections: 60, held: 60, unexpectedDisconnects: 0, rssPerConnectionKb: expect.any(Number) }));
    }
  });

  it('cluster measures one process and two sharing presence through a real redis-server', async () => {
    const { code, line } = await runBench(['cluster', '--quick', '--clients', '10', '--watchers', '5', '--joiners', '3']);
    expect(code).toBe(0);
    const [cluster] = line.scenarios;
    expect(cluster.pending).toBeUndefined();
    for (const name of ['presently', 'presently×2']) {
      expect(cluster.results[name].error).toBeUndefined();
      expect(cluster.results[name].figures).toEqual(
        expect.objectContaining({ stormClientsPerSecond: expect.any(Number), hotSeenP99Ms: expect.any(Number), hotUnseenJoins: 0 }),
      );
    }
  });

  it('resync restarts a real redis-server under two processes and every watcher ends with the true count', async () => {
    const { code, line } = await runBench(['resync', '--quick']);
    expect(code).toBe(0);
    const [resync] = line.scenarios;
    const outcome = resync.results['presently×2'];
    expect(outcome.error).toBeUndefined();
    expect(outcome.figures).toEqual(
      expect.objectContaining({ watchers: 6, staleWatchers: 0, restartToExactMs: expect.any(Number), lastRebuildToExactMs: expect.any(Number) }),
    );
  });

  it('room --quick past ROSTER_MAX: counts instead of member fan-out, and every member ends with the true total', async () => {
    const { code, line } = await runBench(['room', '--quick', '--members', '30', '--targets', 'presently,bare', '--server-env', 'ROSTER_MAX=10']);
    expect(code).toBe(0);
    const [room] = line.scenarios;
    const presently = room.results.presently.figures;
    expect(presently).toEqual(expect.objectContaining({ joins: 30, totalMismatches: 0, ackMembersMax: 10, unexpectedDisconnects: 0 }));
    // Bare fans out every join to every member: 30·29/2 deliveries.
    expect(room.results.bare.figures.deliveries).toBe(435);
    expect(presently.deliveries).toBeLessThan(435);
    expect(room.results.presently.notes.join(' ')).toContain('room:count');
  });
});

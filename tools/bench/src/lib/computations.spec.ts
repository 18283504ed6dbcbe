import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinToSeen } from '../scenarios/hot';
import { SourceAddresses } from './addresses';
import { LatencyHistogram } from './histogram';
import { summarizeProfile } from './profile';
import { seededRandom, zipf } from './random';
import { ratios } from './report';

describe('joinToSeen', () => {
  it('takes, per join, the last watcher to see a count that includes it', () => {
    // Joins acked at t=10 (2 connections) and t=20 (3 connections).
    const seen = joinToSeen(
      [10, 20],
      [2, 3],
      [
        { at: [12, 30], connections: [2, 3] },
        { at: [15, 40], connections: [1, 3] },
      ],
    );
    // Join 1: watcher A at 12, watcher B first reaches 2 at 40 → 30 ms. Join 2: 40 → 20 ms.
    expect(seen.unseen).toBe(0);
    const summary = seen.latency.summary();
    expect(summary.count).toBe(2);
    expect(summary.p50).toBeCloseTo(20, 1);
    expect(summary.max).toBeCloseTo(30, 1);
  });

  it('counts a join that some watcher never saw as unseen', () => {
    const seen = joinToSeen([10, 20], [1, 2], [{ at: [11], connections: [1] }]);
    expect(seen.unseen).toBe(1);
    expect(seen.latency.count).toBe(1);
  });
});

describe('SourceAddresses', () => {
  it('gives each address to at most perAddress sockets, within 127.0.0.0/8 and never 127.0.0.1', () => {
    const addresses = new SourceAddresses(3);
    const given = Array.from({ length: 3000 }, () => addresses.next());
    const counts = new Map<string, number>();
    for (const address of given) counts.set(address, (counts.get(address) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBe(3);
    expect(counts.has('127.0.0.1')).toBe(false);
    for (const address of counts.keys()) {
      const bytes = address.split('.').map(Number);
      expect(bytes[0]).toBe(127);
      expect(bytes[3]).toBeGreaterThanOrEqual(1);
      expect(bytes[3]).toBeLessThanOrEqual(254);
    }
  });

  it('starts a fresh address after fresh(), and other blocks never meet the first', () => {
    const addresses = new SourceAddresses(10);
    const first = addresses.next();
    addresses.fresh();
    expect(addresses.next()).not.toBe(first);
    const other = new Set(Array.from({ length: 1000 }, () => new SourceAddresses(10, 1).next()));
    const mine = new Set(Array.from({ length: 10_000 }, () => addresses.next()));
    expect([...other].filter((a) => mine.has(a))).toEqual([]);
  });
});

describe('zipf', () => {
  it('is reproducible from its seed and favours low ranks as 1/k', () => {
    const picks = (seed: number) => {
      const pick = zipf(500, 1, seededRandom(seed));
      return Array.from({ length: 20_000 }, pick);
    };
    expect(picks(7)).toEqual(picks(7));
    const sample = picks(1);
    const share = (rank: number) => sample.filter((r) => r === rank).length / sample.length;
    // H(500) ≈ 6.79: rank 0 ≈ 14.7 %, rank 1 ≈ 7.4 %.
    expect(share(0)).toBeGreaterThan(0.13);
    expect(share(0)).toBeLessThan(0.165);
    expect(share(0) / share(1)).toBeGreaterThan(1.7);
    expect(Math.max(...sample)).toBeLessThan(500);
  });
});

describe('LatencyHistogram', () => {
  it('reports milliseconds from microsecond records', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    const summary = histogram.summary();
    expect(summary.count).toBe(100);
    expect(summary.p50).toBeCloseTo(50, 0);
    expect(summary.p99).toBeCloseTo(99, 0);
    expect(summary.max).toBeCloseTo(100, 0);
  });
});

describe('ratios', () => {
  it('divides the first server by each other one, for the rows that show a ratio', () => {
    const rows = [
      { key: 'cpuSeconds', label: 'cpu', ratio: true },
      { key: 'clients', label: 'clients' },
    ];
    const results = {
      presently: { figures: { cpuSeconds: 1, clients: 5 }, notes: [] },
      bare: { figures: { cpuSeconds: 2, clients: 5 }, notes: [] },
      naive: { figures: { cpuSeconds: 0, clients: 5 }, notes: [] },
    };
    expect(ratios(rows, results)).toEqual({ 'presently/bare': { cpuSeconds: 0.5 }, 'presently/naive': { cpuSeconds: null } });
  });
});

describe('summarizeProfile', () => {
  it('attributes self and inclusive time to functions and origins, within a window', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
        { id: 2, callFrame: frame('handle', 'file:///w/dist/apps/server/main.js'), children: [3] },
        { id: 3, callFrame: frame('encode', 'file:///w/node_modules/socket.io-parser/build/cjs/index.js') },
        { id: 4, callFrame: frame('(garbage collector)', '') },
      ],
      startTime: 1000,
      endTime: 2000,
      // Samples at 1100, 1200, 1300, 1400, each taking the 100 µs until the next.
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [100, 100, 100, 100, 100],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'bench-profile-')), 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const whole = summarizeProfile(file);
    expect(whole.totalMs).toBeCloseTo(0.4, 5);
    expect(whole.inclusive[0]).toEqual(expect.objectContaining({ name: 'handle dist/apps/server/main.js:1', ms: 0.3 }));
    expect(whole.byOrigin.map((o) => o.name)).toEqual(['socket.io-parser', 'presently (bundle)', '(garbage collector)']);
    const windowed = summarizeProfile(file, [1150, 1350]);
    expect(windowed.windowed).toBe(true);
    expect(windowed.self).toEqual([expect.objectContaining({ name: 'encode socket.io-parser/build/cjs/index.js:1', ms: 0.2 })]);
  });
});

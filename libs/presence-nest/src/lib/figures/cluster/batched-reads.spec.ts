import { BatchedReads } from './batched-reads';

describe('BatchedReads', () => {
  /** A reader whose reads the test answers by hand. */
  function reader() {
    const calls: { key: string; queries: number[]; answer(results: string[]): void; fail(error: Error): void }[] = [];
    const reads = new BatchedReads<string, number, string>(
      (key, queries) =>
        new Promise((resolve, reject) => calls.push({ key, queries, answer: resolve, fail: reject })),
    );
    return { reads, calls };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('reads at once when idle, and answers the reads that arrived meanwhile with one later read', async () => {
    const { reads, calls } = reader();
    const first = reads.read('room', 1);
    expect(calls.map((c) => c.queries)).toEqual([[1]]);
    const second = reads.read('room', 2);
    const third = reads.read('room', 3);
    const other = reads.read('other', 9);
    // Another key does not wait; the same key does.
    expect(calls.map((c) => [c.key, c.queries])).toEqual([
      ['room', [1]],
      ['other', [9]],
    ]);
    calls[0].answer(['a1']);
    await expect(first).resolves.toBe('a1');
    await flush();
    expect(calls[2]).toMatchObject({ key: 'room', queries: [2, 3] });
    calls[2].answer(['b2', 'b3']);
    await expect(Promise.all([second, third])).resolves.toEqual(['b2', 'b3']);
    calls[1].answer(['o9']);
    await expect(other).resolves.toBe('o9');
  });

  it('fails only the reads of the batch that failed, and goes on with the next', async () => {
    const { reads, calls } = reader();
    const first = reads.read('k', 1);
    const second = reads.read('k', 2);
    calls[0].fail(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await flush();
    calls[1].answer(['ok']);
    await expect(second).resolves.toBe('ok');
    // Idle again: the next read starts at once.
    void reads.read('k', 3);
    expect(calls).toHaveLength(3);
  });
});

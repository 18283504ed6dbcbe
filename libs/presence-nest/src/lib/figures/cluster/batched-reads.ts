interface Request<Q, R> {
  query: Q;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Coalesces reads of one key: a read that arrives while one of its key is
 * running waits for the next, which starts when the running one ends and
 * answers every read that arrived meanwhile at once. Each read is made after
 * it arrived, so it sees everything its caller did before asking; a burst
 * of N reads of one key costs about two reads, not N.
 */
export class BatchedReads<K, Q, R> {
  private readonly waiting = new Map<K, Request<Q, R>[]>();

  /** `readMany` answers one result per query, in order. */
  constructor(private readonly readMany: (key: K, queries: Q[]) => Promise<R[]>) {}

  read(key: K, query: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const request = { query, resolve, reject };
      const queue = this.waiting.get(key);
      if (queue) queue.push(request);
      else this.run(key, [request]);
    });
  }

  private run(key: K, batch: Request<Q, R>[]): void {
    const queue: Request<Q, R>[] = [];
    this.waiting.set(key, queue);
    const next = () => {
      if (queue.length > 0) this.run(key, queue);
      else this.waiting.delete(key);
    };
    let answer: Promise<R[]>;
    try {
      answer = this.readMany(
        key,
        batch.map((request) => request.query),
      );
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (results) => {
        batch.forEach((request, i) => request.resolve(results[i]));
        next();
      },
      (error: unknown) => {
        for (const request of batch) request.reject(error);
        next();
      },
    );
  }
}

import type { WebhookEvent } from '@presently/protocol';
import { ManualClock } from '@presently/presence-core/testing';
import { type DropCause, type OutboxObserver, type SendOutcome, WebhookOutbox, type WebhookOutboxOptions } from './webhook-outbox';

/**
 * The outbox on a manual clock with a scripted receiver: batching, one
 * request a second, backoff with Retry-After, the retry window, refusals,
 * the queue bound and the flush at shutdown.
 */

const event = (n: number): WebhookEvent => ({ id: `e${n}`, type: 'page.occupied', at: 0, data: { page: `/p${n}` } });
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

/** Lets promise callbacks run (the receiver's answers reach the outbox through them). */
const tick = () => new Promise((resolve) => setImmediate(resolve));

interface Request {
  at: number;
  ids: string[];
  answer(outcome: SendOutcome): Promise<void>;
}

function outboxUnderTest(options: Partial<WebhookOutboxOptions> = {}) {
  const clock = new ManualClock();
  const requests: Request[] = [];
  const delivered: string[] = [];
  const dropped: Array<{ count: number; cause: DropCause }> = [];
  const failures: string[] = [];
  const observer: OutboxObserver = {
    delivered: (batch) => void delivered.push(...batch.map((e) => e.id)),
    failed: (outcome) => void failures.push(outcome.kind === 'retry' ? outcome.cause : `rejected ${outcome.status}`),
    dropped: (count, cause) => void dropped.push({ count, cause }),
  };
  const outbox = new WebhookOutbox(clock, {
    retryBaseMs: 2000,
    retryMaxMs: 30_000,
    // The longest delay the backoff allows: the schedule is exact.
    random: () => 1,
    observer,
    send: (batch) =>
      new Promise<SendOutcome>((resolve) => {
        requests.push({
          at: clock.now(),
          ids: batch.map((e) => e.id),
          answer: async (outcome) => {
            resolve(outcome);
            await tick();
          },
        });
      }),
    ...options,
  });
  const start = clock.now();
  /** Ms since the outbox was made. */
  const since = (at: number) => at - start;
  return { clock, outbox, requests, delivered, dropped, failures, since };
}

describe('WebhookOutbox', () => {
  it('sends what a task queued in one request as soon as the task is done, then at most one request a second of at most 100 events', async () => {
    const { clock, outbox, requests, delivered, since } = outboxUnderTest();
    for (const e of events(1, 250)) outbox.push(e);
    expect(requests).toEqual([]);
    clock.advance(0);
    expect(requests.map((r) => r.ids.length)).toEqual([100]);
    await requests[0].answer({ kind: 'delivered' });
    clock.advance(999);
    expect(requests).toHaveLength(1);
    clock.advance(1);
    await requests[1].answer({ kind: 'delivered' });
    clock.advance(1000);
    await requests[2].answer({ kind: 'delivered' });
    expect(requests.map((r) => [since(r.at), r.ids.length])).toEqual([
      [0, 100],
      [1000, 100],
      [2000, 50],
    ]);
    expect(delivered).toEqual(events(1, 250).map((e) => e.id));
    expect(outbox.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends an event at once after a quiet second, and merges those that come within the second', async () => {
    const { clock, outbox, requests, since } = outboxUnderTest();
    outbox.push(event(1));
    clock.advance(0);
    await requests[0].answer({ kind: 'delivered' });
    clock.advance(400);
    outbox.push(event(2));
    clock.advance(300);
    outbox.push(event(3));
    clock.advance(299);
    expect(requests).toHaveLength(1);
    clock.advance(1);
    await requests[1].answer({ kind: 'delivered' });
    clock.advance(5000);
    outbox.push(event(4));
    clock.advance(0);
    expect(requests.map((r) => [since(r.at), r.ids])).toEqual([
      [0, ['e1']],
      [1000, ['e2', 'e3']],
      [6000, ['e4']],
    ]);
  });

  it('retries a failing batch first, whole, with a doubling backoff up to its cap, while later events wait in order', async () => {
    const { clock, outbox, requests, delivered, failures, since } = outboxUnderTest({ retryBaseMs: 2000, retryMaxMs: 5000 });
    outbox.push(event(1));
    clock.advance(0);
    await requests[0].answer({ kind: 'retry', cause: '5xx', status: 500 });
    outbox.push(event(2));
    clock.advance(2000);
    await requests[1].answer({ kind: 'retry', cause: 'timeout' });
    clock.advance(4000);
    await requests[2].answer({ kind: 'retry', cause: 'network' });
    clock.advance(5000);
    await requests[3].answer({ kind: 'retry', cause: '429', status: 429 });
    clock.advance(5000);
    await requests[4].answer({ kind: 'delivered' });
    clock.advance(1000);
    await requests[5].answer({ kind: 'delivered' });
    expect(requests.map((r) => [since(r.at), r.ids])).toEqual([
      [0, ['e1']],
      [2000, ['e1']],
      [6000, ['e1']],
      [11_000, ['e1']],
      [16_000, ['e1']],
      [17_000, ['e2']],
    ]);
    expect(failures).toEqual(['5xx', 'timeout', 'network', '429']);
    expect(delivered).toEqual(['e1', 'e2']);
  });

  it('spreads retries between half and all of the backoff', async () => {
    const { clock, outbox, requests, since } = outboxUnderTest({ retryBaseMs: 4000, random: () => 0 });
    outbox.push(event(1));
    clock.advance(0);
    await requests[0].answer({ kind: 'retry', cause: '5xx', status: 503 });
    clock.advance(1999);
    expect(requests).toHaveLength(1);
    clock.advance(1);
    expect(requests.map((r) => since(r.at))).toEqual([0, 2000]);
  });

  it('waits at least as long as Retry-After says', async () => {
    const { clock, outbox, requests, since } = outboxUnderTest({ retryBaseMs: 1000 });
    outbox.push(event(1));
    clock.advance(0);
    await requests[0].answer({ kind: 'retry', cause: '429', status: 429, retryAfterMs: 7000 });
    clock.advance(6999);
    expect(requests).toHaveLength(1);
    clock.advance(1);
    expect(requests.map((r) => since(r.at))).toEqual([0, 7000]);
  });

  it('drops a batch that failed for 10 minutes, counts it, and goes on with the next', async () => {
    const { clock, outbox, requests, dropped, delivered } = outboxUnderTest({ retryBaseMs: 60_000, retryMaxMs: 120_000 });
    for (const e of events(1, 101)) outbox.push(e);
    clock.advance(0);
    let n = 0;
    while (dropped.length === 0) {
      await requests[n++].answer({ kind: 'retry', cause: '5xx', status: 502 });
      clock.advance(120_000);
    }
    expect(dropped).toEqual([{ count: 100, cause: 'expired' }]);
    // Every retry was within the window of the first attempt.
    expect(requests[n - 1].at - requests[0].at).toBeLessThanOrEqual(600_000);
    expect(requests[n - 1].at + 120_000 - requests[0].at).toBeGreaterThan(600_000);
    expect(requests[n].ids).toEqual(['e101']);
    await requests[n].answer({ kind: 'delivered' });
    expect(delivered).toEqual(['e101']);
  });

  it('drops a batch at once when Retry-After asks to wait past the window', async () => {
    const { clock, outbox, requests, dropped } = outboxUnderTest();
    outbox.push(event(1));
    clock.advance(0);
    await requests[0].answer({ kind: 'retry', cause: '429', status: 429, retryAfterMs: 3_600_000 });
    expect(dropped).toEqual([{ count: 1, cause: 'expired' }]);
    expect(outbox.length).toBe(0);
  });

  it('drops a batch the receiver refuses (a 4xx other than 429) and sends the next one a second later', async () => {
    const { clock, outbox, requests, dropped, failures, delivered, since } = outboxUnderTest();
    for (const e of events(1, 150)) outbox.push(e);
    clock.advance(0);
    await requests[0].answer({ kind: 'rejected', status: 400 });
    clock.advance(1000);
    await requests[1].answer({ kind: 'delivered' });
    expect(failures).toEqual(['rejected 400']);
    expect(dropped).toEqual([{ count: 100, cause: 'rejected' }]);
    expect(requests.map((r) => since(r.at))).toEqual([0, 1000]);
    expect(delivered).toEqual(events(101, 150).map((e) => e.id));
  });

  it('keeps at most maxQueued events, dropping the oldest waiting one, never one of a request in flight', async () => {
    const { clock, outbox, requests, dropped, delivered } = outboxUnderTest({ maxQueued: 5, batchMax: 2 });
    outbox.push(event(1));
    outbox.push(event(2));
    clock.advance(0);
    expect(requests[0].ids).toEqual(['e1', 'e2']);
    for (const e of events(3, 8)) outbox.push(e);
    // e3 to e5 went (in flight: e1, e2), e6 to e8 wait.
    expect(dropped).toEqual([
      { count: 1, cause: 'overflow' },
      { count: 1, cause: 'overflow' },
      { count: 1, cause: 'overflow' },
    ]);
    expect(outbox.length).toBe(5);
    await requests[0].answer({ kind: 'retry', cause: '5xx', status: 500 });
    // The failing batch waits for its retry: its events are now the oldest waiting.
    outbox.push(event(9));
    expect(dropped).toHaveLength(4);
    clock.advance(2000);
    expect(requests[1].ids).toEqual(['e2']);
    await requests[1].answer({ kind: 'delivered' });
    clock.advance(1000);
    await requests[2].answer({ kind: 'delivered' });
    clock.advance(1000);
    await requests[3].answer({ kind: 'delivered' });
    expect(delivered).toEqual(['e2', 'e6', 'e7', 'e8', 'e9']);
  });

  it('flushes what waits until the deadline, then drops the rest and stops', async () => {
    const { clock, outbox, requests, delivered, dropped } = outboxUnderTest();
    for (const e of events(1, 300)) outbox.push(e);
    let done = false;
    void outbox.flush(clock.now() + 1500).then(() => (done = true));
    // Nothing decided from now on is taken.
    outbox.push(event(1000));
    expect(dropped).toEqual([{ count: 1, cause: 'shutdown' }]);
    dropped.length = 0;
    clock.advance(0);
    await requests[0].answer({ kind: 'delivered' });
    clock.advance(1000);
    expect(requests).toHaveLength(2);
    clock.advance(500);
    await tick();
    expect(done).toBe(true);
    // The second request was in flight at the deadline: its events count as dropped with the rest.
    expect(dropped).toEqual([{ count: 200, cause: 'shutdown' }]);
    expect(delivered).toHaveLength(100);
    expect(clock.pendingTimers).toBe(0);
    await requests[1].answer({ kind: 'delivered' });
    expect(delivered).toHaveLength(100);
    outbox.push(event(301));
    expect(dropped).toEqual([
      { count: 200, cause: 'shutdown' },
      { count: 1, cause: 'shutdown' },
    ]);
    expect(requests).toHaveLength(2);
  });

  it('ends a flush as soon as everything is delivered', async () => {
    const { clock, outbox, requests, dropped } = outboxUnderTest();
    outbox.push(event(1));
    let done = false;
    void outbox.flush(clock.now() + 60_000).then(() => (done = true));
    clock.advance(0);
    await requests[0].answer({ kind: 'delivered' });
    await tick();
    expect(done).toBe(true);
    expect(dropped).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not wait through a backoff that ends after the deadline', async () => {
    const { clock, outbox, requests, dropped } = outboxUnderTest({ retryBaseMs: 10_000 });
    outbox.push(event(1));
    let done = false;
    void outbox.flush(clock.now() + 5000).then(() => (done = true));
    clock.advance(0);
    await requests[0].answer({ kind: 'retry', cause: '5xx', status: 500 });
    await tick();
    expect(done).toBe(true);
    expect(dropped).toEqual([{ count: 1, cause: 'shutdown' }]);
  });
});

import {
  WEBHOOK_BATCH_MAX,
  WEBHOOK_INTERVAL_MS,
  WEBHOOK_QUEUE_MAX,
  WEBHOOK_RETRY_WINDOW_MS,
  type WebhookEvent,
} from '@presently/protocol';
import type { Clock, TimerHandle } from '@presently/presence-core';

/** How one request ended. */
export type SendOutcome =
  /** A 2xx answer: the batch is delivered. */
  | { kind: 'delivered' }
  /** A network error, a timeout, a 429 or a 5xx: the batch is tried again later (not before `retryAfterMs`, if the answer said so). */
  | { kind: 'retry'; cause: FailureCause; status?: number; retryAfterMs?: number }
  /** Another 4xx: the receiver refuses the batch; it is dropped. */
  | { kind: 'rejected'; status: number };

/** Why a request failed. */
export type FailureCause = 'network' | 'timeout' | '429' | '5xx';

/** Why events were dropped undelivered. */
export type DropCause = 'overflow' | 'expired' | 'rejected' | 'shutdown';

/** What the outbox tells its owner (metrics, logs). */
export interface OutboxObserver {
  /** A 2xx answer delivered `events`, after `attempts` requests. */
  delivered(events: readonly WebhookEvent[], attempts: number): void;
  /** A request failed. */
  failed(outcome: Exclude<SendOutcome, { kind: 'delivered' }>): void;
  /** `count` events were dropped undelivered. */
  dropped(count: number, cause: DropCause): void;
}

export interface WebhookOutboxOptions {
  /** Sends one batch and tells how it ended; never rejects. */
  send(events: readonly WebhookEvent[]): Promise<SendOutcome>;
  /** The first retry's delay (ms); each further one doubles it. */
  retryBaseMs: number;
  /** The longest delay between two retries (ms). */
  retryMaxMs: number;
  observer: OutboxObserver;
  /** In [0, 1): spreads retries (each delay is between half and all of the backoff's). Default `Math.random`. */
  random?: () => number;
  /** The protocol's figures, changed by tests only. */
  intervalMs?: number;
  batchMax?: number;
  maxQueued?: number;
  retryWindowMs?: number;
}

/**
 * The events waiting to be POSTed, in the order they were decided, and their
 * delivery: at most one request per `intervalMs` (a second) while events
 * wait, each of at most `batchMax` (100) events, the first as soon as the
 * current task is done (events decided together travel together).
 *
 * A batch that fails with a network error, a timeout, a 429 or a 5xx is
 * sent again, whole and first, after an exponential backoff with jitter
 * (never sooner than the answer's `Retry-After`), until it is delivered or
 * `retryWindowMs` (10 minutes) have passed since its first attempt: then it
 * is dropped and the next one goes. A batch the receiver refuses (another
 * 4xx) is dropped at once. Meanwhile the other events wait in order, at most
 * `maxQueued` (10,000) with the failing batch: past that the oldest waiting
 * one is dropped (never one of a request in flight).
 *
 * Pushing costs O(1) and never waits: presence does not wait for a webhook.
 */
export class WebhookOutbox {
  private readonly queue: WebhookEvent[] = [];
  /** Index of the first waiting event in `queue` (shifting an array is O(n)). */
  private head = 0;
  /** The batch being sent or retried: the oldest events; empty when none. */
  private batch: WebhookEvent[] = [];
  private sending = false;
  private timer: TimerHandle | null = null;
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  /** Not before this time may the failing batch be tried again. */
  private retryAt = 0;
  /** Requests made for the current batch, and when the first one began. */
  private attempts = 0;
  private firstAttemptAt = 0;
  /** While flushing: the time after which nothing more is tried, and who waits for the end. */
  private deadline = Number.POSITIVE_INFINITY;
  private readonly drained: Array<() => void> = [];
  private deadlineTimer: TimerHandle | null = null;
  private disposed = false;
  private readonly intervalMs: number;
  private readonly batchMax: number;
  private readonly maxQueued: number;
  private readonly retryWindowMs: number;
  private readonly random: () => number;

  constructor(
    private readonly clock: Clock,
    private readonly options: WebhookOutboxOptions,
  ) {
    this.intervalMs = options.intervalMs ?? WEBHOOK_INTERVAL_MS;
    this.batchMax = options.batchMax ?? WEBHOOK_BATCH_MAX;
    this.maxQueued = options.maxQueued ?? WEBHOOK_QUEUE_MAX;
    this.retryWindowMs = options.retryWindowMs ?? WEBHOOK_RETRY_WINDOW_MS;
    this.random = options.random ?? Math.random;
  }

  /** Events waiting, the batch being sent or retried included. */
  get length(): number {
    return this.batch.length + this.queue.length - this.head;
  }

  /** Queues an event behind the others; the oldest waiting one goes if that makes too many. O(1). */
  push(event: WebhookEvent): void {
    if (this.disposed || this.deadline !== Number.POSITIVE_INFINITY) return this.options.observer.dropped(1, 'shutdown');
    this.queue.push(event);
    if (this.length > this.maxQueued) this.dropOldest();
    this.schedule();
  }

  /**
   * Delivers what waits, as fast as the rules allow, until nothing waits or
   * `deadline` (epoch ms) comes; what is left then is dropped (counted as
   * `shutdown`). From the call on the outbox takes nothing more (an event
   * pushed is dropped, counted as `shutdown`).
   */
  async flush(deadline: number): Promise<void> {
    this.deadline = deadline;
    if (this.length > 0 && !this.disposed) {
      await new Promise<void>((resolve) => {
        this.drained.push(resolve);
        this.deadlineTimer = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => this.wakeDrained());
        this.schedule();
      });
    }
    this.dispose();
  }

  /** Stops: no timer is left, what waits is dropped (counted as `shutdown`). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of [this.timer, this.deadlineTimer]) if (timer !== null) this.clock.clearTimer(timer);
    this.timer = this.deadlineTimer = null;
    const left = this.length;
    this.batch = [];
    this.queue.length = 0;
    this.head = 0;
    if (left > 0) this.options.observer.dropped(left, 'shutdown');
    this.wakeDrained();
  }

  /** The next request, when it may be made: once the interval since the last one and any backoff have passed. */
  private schedule(): void {
    if (this.sending || this.timer !== null || this.disposed) return;
    if (this.length === 0) return this.wakeDrained();
    const due = Math.max(this.lastRequestAt + this.intervalMs, this.retryAt);
    // Flushing: a request that could only start after the deadline is not waited for.
    if (due > this.deadline) return this.wakeDrained();
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
      this.timer = null;
      this.sendBatch();
    });
  }

  private sendBatch(): void {
    if (this.disposed) return;
    if (this.batch.length === 0) this.batch = this.take(this.batchMax);
    if (this.batch.length === 0) return;
    const batch = this.batch;
    const startedAt = this.clock.now();
    this.sending = true;
    this.lastRequestAt = startedAt;
    if (this.attempts++ === 0) this.firstAttemptAt = startedAt;
    void this.options.send(batch).then(
      (outcome) => this.settle(batch, outcome),
      () => this.settle(batch, { kind: 'retry', cause: 'network' }),
    );
  }

  private settle(batch: WebhookEvent[], outcome: SendOutcome): void {
    this.sending = false;
    if (this.disposed) return;
    if (outcome.kind === 'delivered') {
      this.options.observer.delivered(batch, this.attempts);
      this.nextBatch();
    } else if (outcome.kind === 'rejected') {
      this.options.observer.failed(outcome);
      this.options.observer.dropped(batch.length, 'rejected');
      this.nextBatch();
    } else {
      this.options.observer.failed(outcome);
      const now = this.clock.now();
      const delay = Math.max(this.backoff(), outcome.retryAfterMs ?? 0);
      if (now + delay > this.firstAttemptAt + this.retryWindowMs) {
        this.options.observer.dropped(batch.length, 'expired');
        this.nextBatch();
      } else {
        this.retryAt = now + delay;
      }
    }
    this.schedule();
  }

  /** The current batch is done with (delivered or dropped): the next one starts afresh. */
  private nextBatch(): void {
    this.batch = [];
    this.attempts = 0;
    this.retryAt = 0;
  }

  /** The delay before the next try of a batch that failed `attempts` times: doubling from the base up to the cap, between half and all of it. */
  private backoff(): number {
    const full = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(this.attempts - 1, 30));
    return Math.round(full / 2 + (full / 2) * this.random());
  }

  /** Up to `n` events off the front of the queue. */
  private take(n: number): WebhookEvent[] {
    const end = Math.min(this.queue.length, this.head + n);
    const taken = this.queue.slice(this.head, end);
    this.head = end;
    this.compact();
    return taken;
  }

  /** The oldest event not in a request in flight: the failing batch's first while it waits for its retry, else the queue's. */
  private dropOldest(): void {
    if (!this.sending && this.batch.length > 0) {
      this.batch.shift();
      if (this.batch.length === 0) this.nextBatch();
    } else {
      this.head++;
      this.compact();
    }
    this.options.observer.dropped(1, 'overflow');
  }

  /** Drops taken events from the array once they are many, in amortised O(1). */
  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private wakeDrained(): void {
    for (const resolve of this.drained.splice(0)) resolve();
  }
}

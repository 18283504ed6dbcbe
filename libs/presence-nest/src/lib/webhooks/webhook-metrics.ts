import type { WebhookEvent } from '@presently/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DropCause, FailureCause, OutboxObserver, SendOutcome } from './webhook-outbox';

/** Every cause a dropped event or a failed request is counted under, so that each starts at 0. */
const DROP_CAUSES: readonly DropCause[] = ['overflow', 'expired', 'rejected', 'shutdown'];
const FAILURE_CAUSES: readonly (FailureCause | 'refused')[] = ['network', 'timeout', '429', '5xx', 'refused'];

/**
 * The webhooks' Prometheus metrics, in the presence metrics' registry:
 * events delivered, requests failed (by cause), events dropped undelivered
 * (by cause), events waiting, and the delay from each event's `at` to its
 * delivery. O(1) per request, O(events) per delivered batch.
 */
export class WebhookMetrics implements Pick<OutboxObserver, 'delivered' | 'failed' | 'dropped'> {
  private readonly sent: Counter;
  private readonly failures: Counter<'cause'>;
  private readonly drops: Counter<'cause'>;
  private readonly latency: Histogram;

  constructor(
    registry: Registry,
    waiting: () => number,
    private readonly now: () => number,
  ) {
    const registers = [registry];
    this.sent = new Counter({ name: 'presently_webhook_events_sent_total', help: 'Webhook events delivered (a 2xx answer).', registers });
    this.failures = new Counter({
      name: 'presently_webhook_requests_failed_total',
      help: 'Webhook requests that failed, by cause: network, timeout, 429, 5xx (retried), refused (another status: the batch is dropped).',
      labelNames: ['cause'],
      registers,
    });
    this.drops = new Counter({
      name: 'presently_webhook_events_dropped_total',
      help: 'Webhook events dropped undelivered, by cause: overflow (10,000 waiting), expired (retried for 10 minutes), rejected (refused by the receiver), shutdown (still waiting when the process stopped).',
      labelNames: ['cause'],
      registers,
    });
    const queue: Gauge = new Gauge({
      name: 'presently_webhook_queue_length',
      help: 'Webhook events waiting to be delivered, the batch being sent or retried included.',
      registers,
      collect: () => queue.set(waiting()),
    });
    this.latency = new Histogram({
      name: 'presently_webhook_delivery_latency_seconds',
      help: "Seconds from a webhook event's `at` to its delivery.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600],
      registers,
    });
    for (const cause of DROP_CAUSES) this.drops.inc({ cause }, 0);
    for (const cause of FAILURE_CAUSES) this.failures.inc({ cause }, 0);
  }

  delivered(events: readonly WebhookEvent[]): void {
    this.sent.inc(events.length);
    const now = this.now();
    for (const event of events) this.latency.observe(Math.max(0, now - event.at) / 1000);
  }

  failed(outcome: Exclude<SendOutcome, { kind: 'delivered' }>): void {
    this.failures.inc({ cause: outcome.kind === 'retry' ? outcome.cause : 'refused' });
  }

  dropped(count: number, cause: DropCause): void {
    this.drops.inc({ cause }, count);
  }
}

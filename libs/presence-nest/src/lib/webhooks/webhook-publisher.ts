import { randomBytes } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebhookTypes, type Member, type WebhookData, type WebhookEvent, type WebhookType } from '@presently/protocol';
import { systemClock, type Clock, type Departure, type OccupancySink } from '@presently/presence-core';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { type DropCause, type OutboxObserver, type SendOutcome, WebhookOutbox } from './webhook-outbox';
import { WebhookMetrics } from './webhook-metrics';
import { HttpWebhookSender } from './webhook-sender';

const DEFAULT_RETRY_BASE_MS = 1000;
const DEFAULT_RETRY_MAX_MS = 60_000;
const DEFAULT_SHUTDOWN_MS = 5000;

/**
 * Webhooks (`WEBHOOK_URL`): each change of who is present that this process
 * decided (the registry's in one process, the cluster store's answers to
 * this process's changes with Redis) becomes an event with a cluster-wide
 * unique `id` (a random id of this process and a counter) and the time it
 * was decided, queued in the {@link WebhookOutbox} for delivery. Presence
 * never waits: queueing is O(1).
 *
 * At shutdown, once the presence has ended (a cluster's hand-off and
 * withdrawal, or the registry's end in one process), what waits is
 * delivered within `shutdownMs` of the shutdown's start, before the servers
 * close; nothing decided later is sent. Without `webhook` options it does
 * nothing, and the registry does not report to it.
 */
@Injectable()
export class WebhookPublisher implements OccupancySink, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly outbox: WebhookOutbox | null = null;
  private readonly clock: Clock;
  /** This process's part of every event id: 72 random bits. */
  private readonly origin = randomBytes(9).toString('base64url');
  private sequence = 0;
  private shutdownBegan: number | null = null;
  /** Whether the queue is dropping its oldest events, and whether requests are failing (each logged once per episode). */
  private overflowing = false;
  private failing = false;

  constructor(@Inject(PRESENCE_OPTIONS) private readonly options: PresenceModuleOptions, metrics: PresenceMetrics) {
    this.clock = options.clock ?? systemClock;
    const webhook = options.webhook;
    if (!webhook) return;
    const counted = new WebhookMetrics(metrics.registry, () => this.outbox?.length ?? 0, () => this.clock.now());
    const sender = new HttpWebhookSender(webhook.url, webhook.secret, this.clock);
    this.outbox = new WebhookOutbox(this.clock, {
      send: (events) => sender.send(events),
      retryBaseMs: webhook.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      retryMaxMs: webhook.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
      observer: this.observer(counted),
    });
    this.logger.log({ msg: 'webhooks on', receiver: new URL(webhook.url).host });
  }

  /** Whether webhooks are configured. */
  get enabled(): boolean {
    return this.outbox !== null;
  }

  pageOccupied(page: string): void {
    this.publish(WebhookTypes.PageOccupied, { page });
  }

  pageVacated(page: string): void {
    this.publish(WebhookTypes.PageVacated, { page });
  }

  roomOccupied(room: string): void {
    this.publish(WebhookTypes.RoomOccupied, { room });
  }

  memberJoined(room: string, member: Member): void {
    this.publish(WebhookTypes.MemberJoined, { room, member });
  }

  memberLeft(room: string, { userId, reason, duration }: Departure): void {
    this.publish(WebhookTypes.MemberLeft, { room, userId, reason, duration });
  }

  roomVacated(room: string): void {
    this.publish(WebhookTypes.RoomVacated, { room });
  }

  /** The shutdown began (its first hook): the time the flush's deadline counts from. */
  onModuleDestroy(): void {
    this.shutdownBegan ??= this.clock.now();
  }

  /**
   * The presence has ended (a cluster's share was withdrawn in the module's
   * destroy phase; the registry ends in this phase, whose hooks all start
   * before this one resumes): delivers what waits until nothing does or the
   * shutdown time is up, and takes nothing more. A timer keeps the process
   * alive meanwhile (the outbox's own do not).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.outbox) return;
    await Promise.resolve();
    const deadline = (this.shutdownBegan ?? this.clock.now()) + (this.options.webhook?.shutdownMs ?? DEFAULT_SHUTDOWN_MS);
    const waiting = this.outbox.length;
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await this.outbox.flush(deadline);
    } finally {
      clearInterval(keepAlive);
    }
    if (waiting > 0) this.logger.log({ msg: 'webhooks flushed at shutdown', waiting });
  }

  private publish<T extends WebhookType>(type: T, data: WebhookData[T]): void {
    if (!this.outbox) return;
    this.sequence += 1;
    this.outbox.push({ id: `${this.origin}-${this.sequence.toString(36)}`, type, at: this.clock.now(), data } as WebhookEvent);
  }

  /** Counts every outcome, and logs what an operator must know: a failure streak, its end, and drops. */
  private observer(metrics: WebhookMetrics): OutboxObserver {
    return {
      delivered: (events, attempts) => {
        metrics.delivered(events);
        this.overflowing = false;
        if (this.failing) this.logger.log({ msg: 'webhook delivered again', attempts, events: events.length });
        this.failing = false;
      },
      failed: (outcome: Exclude<SendOutcome, { kind: 'delivered' }>) => {
        metrics.failed(outcome);
        if (outcome.kind === 'rejected') {
          this.logger.warn({ msg: 'webhook refused by the receiver: batch dropped', status: outcome.status });
        } else if (!this.failing) {
          this.failing = true;
          this.logger.warn({ msg: 'webhook request failed: retrying with backoff', cause: outcome.cause, status: outcome.status });
        }
      },
      dropped: (count: number, cause: DropCause) => {
        metrics.dropped(count, cause);
        if (cause === 'overflow') {
          if (this.overflowing) return;
          this.overflowing = true;
        }
        if (cause !== 'rejected') this.logger.warn({ msg: 'webhook events dropped', cause, count });
      },
    };
  }
}

import { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMEOUT_MS, WEBHOOK_TIMESTAMP_HEADER, type WebhookBatch, type WebhookEvent } from '@presently/protocol';
import type { Clock } from '@presently/presence-core';
import type { SendOutcome } from './webhook-outbox';
import { webhookSignature } from './webhook-signature';

/**
 * POSTs one batch to the receiver, signed, and tells how it ended: a 2xx
 * delivers; a network error, no answer within 5 s, a 429 or a 5xx is to be
 * retried (with the answer's `Retry-After`); any other status (another 4xx,
 * or a redirect, which is not followed) refuses the batch. Never rejects.
 */
export class HttpWebhookSender {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {}

  async send(events: readonly WebhookEvent[]): Promise<SendOutcome> {
    const batch: WebhookBatch = { events: [...events] };
    const body = JSON.stringify(batch);
    const timestamp = Math.floor(this.clock.now() / 1000);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The answer's body is not read: the connection is freed for the next request.
      await response.body?.cancel().catch(() => undefined);
      return outcomeOf(response.status, response.headers.get('retry-after'), this.clock.now());
    } catch (error) {
      return { kind: 'retry', cause: (error as Error | null)?.name === 'TimeoutError' ? 'timeout' : 'network' };
    }
  }
}

/** How an answer with `status` (and its `Retry-After` header, if any) ends a request. */
export function outcomeOf(status: number, retryAfter: string | null, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 429 || (status >= 500 && status < 600)) {
    return { kind: 'retry', cause: status === 429 ? '429' : '5xx', status, retryAfterMs: retryAfterMs(retryAfter, now) };
  }
  return { kind: 'rejected', status };
}

/** `Retry-After` as a delay from `now` (ms): seconds, or an HTTP date (in GMT); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = / GMT$/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

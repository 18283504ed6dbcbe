import { outcomeOf, retryAfterMs } from './webhook-sender';
import { webhookSignature } from './webhook-signature';

/** How an answer ends a request, `Retry-After` read both ways, and the signature against a vector made with openssl. */
describe('webhook requests', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('delivers on a 2xx, retries a 429 or a 5xx (with Retry-After), and takes any other status as a refusal', () => {
    expect(outcomeOf(200, null, now)).toEqual({ kind: 'delivered' });
    expect(outcomeOf(204, '10', now)).toEqual({ kind: 'delivered' });
    expect(outcomeOf(429, '3', now)).toEqual({ kind: 'retry', cause: '429', status: 429, retryAfterMs: 3000 });
    expect(outcomeOf(503, 'Thu, 01 Jan 2026 00:00:30 GMT', now)).toEqual({ kind: 'retry', cause: '5xx', status: 503, retryAfterMs: 30_000 });
    expect(outcomeOf(500, null, now)).toEqual({ kind: 'retry', cause: '5xx', status: 500, retryAfterMs: undefined });
    for (const status of [400, 401, 404, 413, 301, 302, 307]) expect(outcomeOf(status, '1', now)).toEqual({ kind: 'rejected', status });
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores what it cannot read', () => {
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect([retryAfterMs(null, now), retryAfterMs('', now), retryAfterMs('soon', now), retryAfterMs('-5', now)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('signs `<timestamp>.<body>` with HMAC-SHA256, as sha256=<hex>', () => {
    // printf '%s' '1700000000.{"events":[]}' | openssl dgst -sha256 -hmac 'whsec-0123456789abcdef'
    expect(webhookSignature('whsec-0123456789abcdef', 1700000000, '{"events":[]}')).toBe('sha256=08b7acdf8dee9adfe8cd59eeb2cf50f938fe1dc5286f7111c84acae5e8c25374');
  });
});

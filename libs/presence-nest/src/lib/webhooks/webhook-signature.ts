import { createHmac } from 'node:crypto';

/**
 * What `x-presently-signature` carries: `sha256=` and the hex HMAC-SHA256
 * with `secret` of `<timestamp>.<body>`, the timestamp being the request's
 * `x-presently-timestamp` (epoch seconds) and the body the exact bytes sent.
 *
 * @example
 * webhookSignature('s3cret', 1700000000, '{"events":[]}'); // 'sha256=…'
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

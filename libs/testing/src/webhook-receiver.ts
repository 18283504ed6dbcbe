import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '@presently/protocol';

/**
 * Whether a webhook request is authentic, as a receiver checks it (the
 * README's recipe): the HMAC-SHA256 with `secret` of `<timestamp>.<raw
 * body>` equals the signature header (compared in constant time), and the
 * timestamp is within `toleranceS` of now.
 */
export function verifyWebhook(secret: string, headers: IncomingHttpHeaders, rawBody: string, toleranceS = 300): boolean {
  const timestamp = String(headers['x-presently-timestamp'] ?? '');
  const signature = String(headers['x-presently-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A request as the receiver got it, and how it answered. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  events: WebhookEvent[];
  /** Whether {@link verifyWebhook} accepts it. */
  verified: boolean;
  status: number;
}

/** How the receiver answers a request: a status, and headers (`Retry-After`) if any. */
export type WebhookAnswer = number | { status: number; headers?: Record<string, string> };

export interface WebhookReceiver {
  /** Where the server POSTs: `http://127.0.0.1:<port>/hooks`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ReceivedWebhook[];
  /** The events of every request answered 2xx, in arrival order (repeats included). */
  readonly delivered: WebhookEvent[];
  /** How each request is answered, from its events; 200 unless a test says otherwise. */
  answer: (events: WebhookEvent[], request: ReceivedWebhook) => WebhookAnswer;
  /** Resolves with the first delivered event that `match` accepts (it may have come already). */
  waitFor<E extends WebhookEvent>(match: (event: WebhookEvent) => event is E, what: string, timeoutMs?: number): Promise<E>;
  waitFor(match: (event: WebhookEvent) => boolean, what: string, timeoutMs?: number): Promise<WebhookEvent>;
  /** Resolves with the first request (answered or not) that `match` accepts. */
  waitForRequest(match: (request: ReceivedWebhook) => boolean, what: string, timeoutMs?: number): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on an ephemeral port of the loopback interface: it
 * records each request, checks its signature with `secret`, and answers as
 * the test says (`answer`), 200 by default.
 *
 * @example
 * const receiver = await startWebhookReceiver(SECRET);
 * const server = await startServer({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET });
 * await receiver.waitFor((e) => e.type === 'room.occupied' && e.data.room === room, 'the room occupied');
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const delivered: WebhookEvent[] = [];
  const listeners = new Set<() => void>();
  const receiver = {
    url: '',
    requests,
    delivered,
    answer: (() => 200) as WebhookReceiver['answer'],
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let events: WebhookEvent[] = [];
      try {
        events = (JSON.parse(body) as { events: WebhookEvent[] }).events;
      } catch {
        // kept as received: a test sees the body
      }
      const request: ReceivedWebhook = { headers: req.headers, body, events, verified: verifyWebhook(secret, req.headers, body), status: 0 };
      const answer = receiver.answer(events, request);
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      request.status = status;
      requests.push(request);
      if (status >= 200 && status < 300) delivered.push(...events);
      res.writeHead(status, headers).end();
      for (const listener of [...listeners]) listener();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

  /** Resolves with the first of `list` that `match` accepts, as soon as it is there. */
  const first = <T>(list: T[], match: (item: T) => boolean, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = list.find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no webhook ${what} within ${timeoutMs} ms; got ${JSON.stringify(delivered.map((e) => [e.type, e.data]))}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return Object.assign(receiver, {
    waitFor: (match: (event: WebhookEvent) => boolean, what: string, timeoutMs = 15_000) => first(delivered, match, what, timeoutMs),
    waitForRequest: (match: (request: ReceivedWebhook) => boolean, what: string, timeoutMs = 15_000) => first(requests, match, what, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { EVENT_TIMEOUT_MS } from './client';

/** One dispatched Server-Sent Event; `data` is parsed JSON when it is JSON. */
export interface StreamEvent<T = any> {
  event: string;
  data: T;
}

/** An open `/api/pages/live` response, read as it arrives. */
export interface LiveStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every event dispatched so far, in order. */
  events: StreamEvent[];
  /** The `retry:` value, once received. */
  retry: number | undefined;
  /** Comment lines received (heartbeats), without the colon. */
  comments: string[];
  /** The whole body received so far. */
  raw: string;
  /**
   * Resolves with the next event not yet taken whose name is `event` and
   * whose data satisfies `match`; events before it are passed over. Fails
   * after `timeoutMs` with what did arrive.
   */
  next<T = any>(event: string, match?: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Closes the connection from the client's side, as a closed tab does. */
  close(): void;
  /** Resolves when the server ended the response or the connection closed. */
  ended: Promise<void>;
}

const open = new Set<LiveStream>();

export interface StreamOptions {
  page?: string;
  clientId?: string;
  /** Extra query string, appended as is (hostile input). */
  query?: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'HEAD';
}

/**
 * Opens `GET /api/pages/live` with plain `node:http` (no `User-Agent` unless
 * given, so not a crawler) and resolves once the response headers arrived.
 * Streams are tracked for {@link closeStreams}.
 */
export function openStream(baseUrl: string, options: StreamOptions): Promise<LiveStream> {
  const params = new URLSearchParams();
  if (options.page !== undefined) params.set('page', options.page);
  if (options.clientId !== undefined) params.set('clientId', options.clientId);
  const query = [params.toString(), options.query].filter(Boolean).join('&');
  const url = new URL(`/api/pages/live?${query}`, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => resolve(readStream(res, () => req.destroy())));
    req.on('error', reject);
    req.end();
  });
}

/** Closes every stream opened through this module. */
export function closeStreams(): void {
  for (const stream of open) stream.close();
  open.clear();
}

function readStream(res: IncomingMessage, destroy: () => void): LiveStream {
  const waiters = new Set<() => void>();
  let taken = 0;
  let buffer = '';
  let ended!: () => void;
  const stream: LiveStream = {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events: [],
    retry: undefined,
    comments: [],
    raw: '',
    next<T>(event: string, match: (data: T) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = taken; i < stream.events.length; i++) {
            const e = stream.events[i];
            if (e.event === event && match(e.data)) {
              taken = i + 1;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(e.data);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching ${event} event within ${timeoutMs} ms; received ${JSON.stringify(stream.events.slice(taken))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      open.delete(stream);
      destroy();
    },
    ended: new Promise((resolve) => (ended = resolve)),
  };
  open.add(stream);
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    stream.raw += chunk;
    buffer += chunk;
    // Events end with a blank line; this reader only meets LF line ends.
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
    for (const waiter of [...waiters]) waiter();
  });
  res.on('close', () => ended());
  res.on('error', () => ended());

  function dispatch(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
      else if (line.startsWith('retry:')) stream.retry = Number(line.slice(6).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    const text = data.join('\n');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    stream.events.push({ event, data: parsed });
  }
  return stream;
}

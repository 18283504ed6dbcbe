import { LIVE_STREAM_PATH, StreamEvents } from '@presently/protocol';
import { reconnectDelay } from './backoff';
import { clientId, saveClientId } from './client-id';

/** `connecting` before the first count, `live` while the stream is open, `offline` after it broke. */
export type BadgeState = 'connecting' | 'live' | 'offline';

export interface Snapshot {
  state: BadgeState;
  /** `null` while unknown. */
  viewers: number | null;
}

export type Listener = (snapshot: Snapshot) => void;

/** One stream per server, page and rate, shared by every badge of that page and rate in the document. */
interface Feed {
  url: string;
  listeners: Set<Listener>;
  snapshot: Snapshot;
  source: EventSource | null;
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const feeds = new Map<string, Feed>();

/** Runs `fn`, swallowing anything it throws: the host page must never see an error of the badge. */
export function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // a badge that cannot work stays in its neutral state
  }
}

/**
 * Follows the live count of `page` on `server`, at most one count per
 * `every` ms: the stream counts this browser as a reader while any listener
 * is subscribed. The listener hears
 * the current snapshot at once, then every change. Answers the unsubscribe
 * function; the last one closes the stream.
 */
export function subscribe(server: string, page: string, every: number, listener: Listener): () => void {
  const url = `${server}${LIVE_STREAM_PATH}?page=${encodeURIComponent(page)}&every=${every}`;
  let feed = feeds.get(url);
  if (!feed) {
    feed = { url, listeners: new Set(), snapshot: { state: 'connecting', viewers: null }, source: null, attempt: 0, timer: undefined };
    feeds.set(url, feed);
    open(feed);
  }
  const current = feed;
  current.listeners.add(listener);
  listener(current.snapshot);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size > 0) return;
    close(current);
    feeds.delete(url);
  };
}

function publish(feed: Feed, snapshot: Snapshot): void {
  feed.snapshot = snapshot;
  for (const listener of feed.listeners) guard(() => listener(snapshot));
}

function open(feed: Feed): void {
  close(feed);
  let source: EventSource;
  try {
    source = new EventSource(`${feed.url}&clientId=${encodeURIComponent(clientId())}`);
  } catch {
    return retry(feed);
  }
  feed.source = source;
  source.addEventListener(StreamEvents.Session, (event) => guard(() => saveClientId(JSON.parse((event as MessageEvent).data).clientId)));
  source.addEventListener(StreamEvents.Count, (event) =>
    guard(() => {
      const viewers = JSON.parse((event as MessageEvent).data).viewers;
      if (typeof viewers !== 'number') return;
      feed.attempt = 0;
      publish(feed, { state: 'live', viewers });
    }),
  );
  // EventSource would retry every 3 s forever; the badge backs off instead.
  source.onerror = () =>
    guard(() => {
      if (feed.source !== source) return;
      close(feed);
      publish(feed, { state: 'offline', viewers: null });
      retry(feed);
    });
}

function retry(feed: Feed): void {
  feed.timer = setTimeout(() => guard(() => open(feed)), reconnectDelay(feed.attempt++));
}

function close(feed: Feed): void {
  clearTimeout(feed.timer);
  feed.timer = undefined;
  feed.source?.close();
  feed.source = null;
}

// A page leaving (closed tab, navigation, back/forward cache) stops counting
// at once; a page restored from the back/forward cache counts again.
addEventListener('pagehide', () => guard(() => feeds.forEach(close)));
addEventListener('pageshow', (event) => guard(() => (event as PageTransitionEvent).persisted && feeds.forEach(open)));

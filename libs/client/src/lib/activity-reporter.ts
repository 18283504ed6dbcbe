import type { ActivityState } from '@presently/protocol';
import { backoff } from './connection';
import type { Link } from './link';
import { hasCode } from './presence-error';

const RETRY_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Tells the server this socket's activity (`presence:activity`), so that it
 * holds the state the page is in now. A new socket is `active` on the
 * server, so after a reconnection only another state is reported again.
 *
 * One report on its way at a time: when it is answered and the page's state
 * changed meanwhile, the state of that moment follows (with Redis, two
 * reports of one socket could otherwise be applied in either order). A
 * report refused for a passing reason (`RATE_LIMITED`, `INTERNAL`, no answer
 * in time) is tried again with backoff: a tab left `hidden` on the server
 * would receive nothing. A server that does not know the event
 * (`BAD_REQUEST`: a v1 server) is not asked again on that socket.
 */
export class ActivityReporter {
  /** What the server holds for the current socket. */
  private reported: ActivityState = 'active';
  private sending = false;
  private unsupported = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every new socket: the outcome of a report sent on an earlier one changes nothing. */
  private socket = 0;
  private closed = false;

  constructor(
    private readonly link: Link,
    private readonly current: () => ActivityState,
  ) {}

  /** The page's state changed. */
  changed(): void {
    void this.report();
  }

  /** On a new socket (which is `active`): reports another state; settles once answered. */
  restore(): Promise<void> {
    this.socket += 1;
    this.reported = 'active';
    this.sending = false;
    this.unsupported = false;
    this.failures = 0;
    this.clearRetry();
    return this.report();
  }

  close(): void {
    this.closed = true;
    this.clearRetry();
  }

  private async report(): Promise<void> {
    if (this.closed || this.sending || this.unsupported || this.retryTimer !== undefined || !this.link.connected) return;
    const state = this.current();
    if (state === this.reported) return;
    const socket = this.socket;
    this.sending = true;
    try {
      await this.link.request('presence:activity', { state });
      if (socket !== this.socket) return;
      this.reported = state;
      this.failures = 0;
    } catch (error) {
      if (socket !== this.socket) return;
      if (hasCode(error, 'BAD_REQUEST')) this.unsupported = true;
      // A dropped connection is restored with the state of that moment.
      else if (!hasCode(error, 'DISCONNECTED')) this.retryLater();
      return;
    } finally {
      if (socket === this.socket) this.sending = false;
    }
    await this.report();
  }

  private retryLater(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.report();
    }, backoff(this.failures++, RETRY_MS, RETRY_MAX_MS));
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

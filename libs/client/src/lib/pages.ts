import { WATCH_BATCH_MAX, type PageCounts } from '@presently/protocol';
import { Observable, ReplaySubject, share } from 'rxjs';
import { KeyedStreams } from './keyed-streams';
import type { Link } from './link';
import { hasCode, transient } from './presence-error';

const sameCounts = (a: PageCounts, b: PageCounts) => a.viewers === b.viewers && a.connections === b.connections && a.active === b.active;

/** The counts alone (an ack carries `ok` too); `active` from servers of protocol 1.1 (a v1 server sends none). */
const countsOf = ({ page, viewers, connections, active }: PageCounts): PageCounts => ({ page, viewers, connections, ...(active !== undefined && { active }) }) as PageCounts;

/**
 * The pages of one client: those it entered (counted), those it watches on
 * request (`watchPages`) and those watched while someone subscribes to
 * `pageCount$`. A page is watched on the server while it has subscribers or
 * was watched on request; entered pages get their counts anyway. After a
 * reconnection `restore()` enters and watches everything again on the new
 * socket.
 *
 * Each `pageCount$` subscriber may ask for a rate (`every`, ms): the page is
 * watched at the fastest rate any of them asks (no `every`, and a page
 * watched on request, mean the server's own rate), and watched again when
 * that changes.
 */
export class Pages {
  /** Pages the client means to be on (set when asked, not when answered): what a reconnection enters again. */
  private readonly entered = new Set<string>();
  /** The mark of the last enter asked for, per entered page. */
  private readonly intents = new Map<string, number>();
  private intent = 0;
  /** `page:count` pushes received so far, and the number of each followed page's last one. */
  private pushes = 0;
  private readonly lastPush = new Map<string, number>();
  /** Enter commands not settled yet, per page. */
  private readonly pending = new Map<string, number>();
  private readonly requested = new Set<string>();
  /** Pages `page:watch` was sent for on the current socket (and not unwatched). */
  private readonly onServer = new Set<string>();
  /** The rate each page was last watched at on the current socket (0: the server's own). */
  private readonly serverRates = new Map<string, number>();
  /** The rates `pageCount$` subscribers asked for, per page: how many asked each (0: none given). */
  private readonly rates = new Map<string, Map<number, number>>();
  /** The `pageCount$` observables in use, by rate and page. */
  private readonly rated = new Map<string, Observable<PageCounts>>();
  private readonly latest = new Map<string, PageCounts>();
  private readonly streams = new KeyedStreams<PageCounts>({
    latest: (page) => this.latest.get(page),
    demand: (page) => {
      this.sync(page);
      this.forgetIfUnused(page);
    },
    equal: sameCounts,
  });
  private closed = false;

  constructor(private readonly link: Link) {}

  /**
   * A page's counts while subscribed, watched at `every` (ms) unless another
   * subscriber asks for a faster rate. The same page and rate give the same
   * observable while it is in use.
   */
  counts$(page: string, every?: number): Observable<PageCounts> {
    const rate = every ?? 0;
    const key = `${rate}:${page}`;
    let stream = this.rated.get(key);
    if (!stream) {
      stream = new Observable<PageCounts>((subscriber) => {
        // Counted before the shared stream's first subscription, whose watch then carries the rate.
        this.countRate(page, rate, 1);
        const inner = this.streams.stream(page).subscribe(subscriber);
        this.rewatch(page);
        return () => {
          inner.unsubscribe();
          this.countRate(page, rate, -1);
          if (this.rated.get(key) === stream) this.rated.delete(key);
          this.rewatch(page);
        };
      }).pipe(share({ connector: () => new ReplaySubject<PageCounts>(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true }));
      this.rated.set(key, stream);
    }
    return stream;
  }

  /** The rate `page` is to be watched at: the fastest asked (0: the server's own). */
  rateOf(page: string): number {
    const asked = this.rates.get(page);
    if (this.requested.has(page) || !asked) return 0;
    return Math.min(...asked.keys());
  }

  /** A `page:count` push. */
  pushed(counts: PageCounts): void {
    this.lastPush.set(counts.page, ++this.pushes);
    this.update(counts);
  }

  /**
   * Counts from an ack of a request sent when `sentAfter` pushes had come,
   * unless a push of the page came since: with Redis the ack's figures may
   * have been read before the push's, and a change after the ack's read is
   * always pushed, so the push is never the older one for long.
   */
  private acked(counts: PageCounts, sentAfter: number): void {
    if ((this.lastPush.get(counts.page) ?? 0) > sentAfter) return;
    this.update(counts);
  }

  /** Sets the counts of a followed page. */
  update(counts: PageCounts): void {
    if (!this.used(counts.page)) return;
    const value = countsOf(counts);
    const { page } = value;
    this.latest.set(page, value);
    this.streams.next(page, value);
  }

  /**
   * The client means to be on `page` from now on: a reconnection restores it
   * even before the `page:enter` is answered (in a cluster acks may come back
   * out of order: a leave's before an earlier enter's). Answers the intent's
   * mark, for {@link refused}.
   */
  entering(page: string): number {
    this.entered.add(page);
    this.pending.set(page, (this.pending.get(page) ?? 0) + 1);
    return this.mark(page);
  }

  /** An enter asked for has settled (answered, refused or failed). */
  settled(page: string): void {
    const left = (this.pending.get(page) ?? 1) - 1;
    if (left > 0) this.pending.set(page, left);
    else this.pending.delete(page);
  }

  /** The client means to be off `page` from now on. */
  leaving(page: string): void {
    this.entered.delete(page);
    this.mark(page);
    this.forgetIfUnused(page);
  }

  /** An enter was refused: the page is not entered, unless a later call changed the intent again. */
  refused(page: string, mark: number, error: unknown): void {
    if (transient(error) || this.intents.get(page) !== mark) return;
    this.entered.delete(page);
    this.intents.delete(page);
    this.forgetIfUnused(page);
  }

  async enter(page: string): Promise<PageCounts> {
    const sentAfter = this.pushes;
    const reply = await this.link.request('page:enter', { page }, (answer) => this.acked(countsOf({ ...answer, page }), sentAfter));
    return countsOf({ ...reply, page });
  }

  async leave(page: string): Promise<void> {
    await this.link.request('page:leave', { page });
  }

  /** `watchPages`: watches `pages` until `unwatch`, and answers their counts. */
  async watch(pages: string[]): Promise<PageCounts[]> {
    // Recorded before the ack, so that a subscriber leaving meanwhile does not unwatch them.
    const requested = pages.filter((page) => !this.requested.has(page));
    const added = pages.filter((page) => !this.onServer.has(page));
    for (const page of pages) {
      this.requested.add(page);
      this.onServer.add(page);
      this.serverRates.set(page, 0);
    }
    try {
      const sentAfter = this.pushes;
      const { counts } = await this.link.request('page:watch', { pages }, (reply) => {
        for (const entry of reply.counts) this.acked(entry, sentAfter);
      });
      return counts.map(countsOf);
    } catch (error) {
      // Refused: nothing was watched. Undo, and watch again what subscribers still need.
      if (!hasCode(error, 'DISCONNECTED')) {
        for (const page of requested) this.requested.delete(page);
        for (const page of added) {
          this.onServer.delete(page);
          this.serverRates.delete(page);
        }
        for (const page of added) {
          this.sync(page);
          this.forgetIfUnused(page);
        }
      }
      throw error;
    }
  }

  /** `unwatchPages`: stops what only the request kept watched; subscribers keep theirs. */
  async unwatch(pages: string[]): Promise<void> {
    for (const page of pages) this.requested.delete(page);
    const unused = pages.filter((page) => this.onServer.has(page) && !this.needed(page));
    for (const page of unused) {
      this.onServer.delete(page);
      this.serverRates.delete(page);
    }
    for (const page of pages) this.forgetIfUnused(page);
    // What subscribers still watch goes back to the rate they asked for.
    for (const page of pages) this.rewatch(page);
    await Promise.all(batches(unused).map((batch) => this.link.request('page:unwatch', { pages: batch })));
  }

  /** On a new socket: enters and watches everything again; settles once every ack is in. */
  restore(): Array<Promise<void>> {
    this.onServer.clear();
    this.serverRates.clear();
    // A page whose enter command is still waiting is entered by that command.
    const entering = [...this.entered].filter((page) => !this.pending.has(page)).map((page) => {
      const mark = this.intents.get(page) ?? 0;
      return this.enter(page).then(
        () => undefined,
        (error: unknown) => this.refused(page, mark, error),
      );
    });
    const watching = [...new Set([...this.requested, ...this.streams.keys()])];
    return [...entering, ...byRate(watching, (page) => this.rateOf(page)).map((batch) => this.send(batch))];
  }

  complete(): void {
    this.closed = true;
    this.streams.complete();
  }

  /** Watches or unwatches `page` on the server so that it matches what is needed. */
  private sync(page: string): void {
    if (this.closed || !this.link.connected) return;
    if (this.needed(page) && !this.onServer.has(page)) void this.send([page]);
    else if (!this.needed(page) && this.onServer.has(page)) {
      this.onServer.delete(page);
      this.serverRates.delete(page);
      this.link.request('page:unwatch', { pages: [page] }).catch(() => undefined);
    }
  }

  /** Watches `page` again if it is watched on the server at another rate than the one now asked. */
  private rewatch(page: string): void {
    if (this.closed || !this.link.connected || !this.onServer.has(page)) return;
    if (this.serverRates.get(page) !== this.rateOf(page)) void this.send([page]);
  }

  private countRate(page: string, rate: number, delta: 1 | -1): void {
    let asked = this.rates.get(page);
    if (!asked) this.rates.set(page, (asked = new Map()));
    const n = (asked.get(rate) ?? 0) + delta;
    if (n > 0) asked.set(rate, n);
    else asked.delete(rate);
    if (asked.size === 0) this.rates.delete(page);
  }

  /** Sends `page:watch` for pages needed on the server (all at one rate: the first's); a refused page fails its stream. */
  private async send(pages: string[]): Promise<void> {
    const every = this.rateOf(pages[0]);
    for (const page of pages) {
      this.onServer.add(page);
      this.serverRates.set(page, every);
    }
    try {
      const sentAfter = this.pushes;
      await this.link.request('page:watch', every > 0 ? { pages, every } : { pages }, (reply) => {
        for (const entry of reply.counts) this.acked(entry, sentAfter);
      });
    } catch (error) {
      if (transient(error)) return;
      for (const page of pages) {
        this.onServer.delete(page);
        this.serverRates.delete(page);
      }
      if (pages.length > 1) {
        // One bad key refuses the whole batch: find it page by page.
        await Promise.all(pages.map((page) => (this.needed(page) ? this.send([page]) : undefined)));
        return;
      }
      this.requested.delete(pages[0]);
      this.streams.error(pages[0], error);
    }
  }

  private needed(page: string): boolean {
    return this.streams.watched(page) || this.requested.has(page);
  }

  private used(page: string): boolean {
    return this.needed(page) || this.entered.has(page);
  }

  private forgetIfUnused(page: string): void {
    if (this.used(page)) return;
    this.latest.delete(page);
    this.lastPush.delete(page);
  }

  private mark(page: string): number {
    const mark = ++this.intent;
    if (this.entered.has(page)) this.intents.set(page, mark);
    else this.intents.delete(page);
    return mark;
  }
}

/** Batches of pages that share a rate. */
function byRate(pages: string[], rateOf: (page: string) => number): string[][] {
  const groups = new Map<number, string[]>();
  for (const page of pages) {
    const rate = rateOf(page);
    const group = groups.get(rate);
    if (group) group.push(page);
    else groups.set(rate, [page]);
  }
  return [...groups.values()].flatMap((group) => batches(group));
}

function batches<T>(items: T[], size = WATCH_BATCH_MAX): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

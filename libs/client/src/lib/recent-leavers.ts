import { BehaviorSubject, filter, Observable, ReplaySubject, share } from 'rxjs';
import type { Link } from './link';
import { transient } from './presence-error';
import { leftSince, NOBODY_RECENT, type Recent, recentOf, withLeaver, withoutLeaver } from './recent-state';
import type { ServerClock } from './server-clock';

type Change = (recent: Recent) => Recent;

/**
 * A room's recent leavers (`room:recent`), kept while someone subscribes:
 * asked for on the first subscription and again on every new socket, then
 * kept up to date from the room's own events without asking again: a
 * `room:left` with its `duration` adds the member who left (named as the
 * list knew them, `leftAt` by the server's clock), a member who comes back
 * is taken out, and entries older than the server's window (`RECENT_MS`)
 * drop out (one timer, for the oldest). Only a leave this client cannot
 * describe (no `duration`, an unknown member), a new socket and a
 * `room:sync` (a hidden tab shown again heard no leaves) ask again.
 *
 * An answer is applied as it arrives, in wire order with the room's events,
 * and the changes that came while it was on its way are applied on top of
 * it again: with Redis the server may have read its list before them.
 * A refused request (`FORBIDDEN`) fails the stream with the PresenceError.
 */
export class RecentLeavers {
  readonly recent$: Observable<Recent>;
  /** The current subscription's list; `null` until the first answer. */
  private watch: BehaviorSubject<Recent | null> | null = null;
  private asking = false;
  private askAgain = false;
  /** Changes seen since the request on its way was sent. */
  private changes: Change[] | null = null;
  /** Bumped on every new socket and every new subscription: an older answer changes nothing. */
  private generation = 0;
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly room: string,
    private readonly link: Link,
    private readonly clock: ServerClock,
    private readonly windowMs: number,
  ) {
    this.recent$ = new Observable<Recent>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const watch = new BehaviorSubject<Recent | null>(null);
      this.watch = watch;
      this.generation += 1;
      this.asking = false;
      this.askAgain = false;
      this.changes = null;
      const inner = watch.pipe(filter((recent): recent is Recent => recent !== null)).subscribe(subscriber);
      this.ask();
      return () => {
        inner.unsubscribe();
        if (this.watch !== watch) return;
        this.watch = null;
        this.clearPrune();
      };
    }).pipe(share({ connector: () => new ReplaySubject<Recent>(1), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));
  }

  /** A `room:left`: `name` as the member list knew them; `duration` from the event, when the server sends it. */
  left(userId: string, name: string | undefined, duration: number | undefined): void {
    if (!this.watch) return;
    if (name === undefined || duration === undefined) this.ask();
    else this.change((recent) => withLeaver(recent, { userId, name, leftAt: this.clock.now(), duration }));
  }

  /** `userId` is a member again: not a recent leaver. */
  back(userId: string): void {
    this.change((recent) => withoutLeaver(recent, userId));
  }

  /**
   * Leaves may have gone unheard (a hidden tab hears none, and is sent a
   * `room:sync` when shown again): asks again.
   */
  missed(): void {
    this.ask();
  }

  /** On a new socket: asks again (leaves may have been missed meanwhile). */
  restore(): void {
    this.generation += 1;
    this.asking = false;
    this.askAgain = false;
    this.changes = null;
    this.ask();
  }

  complete(): void {
    this.closed = true;
    this.clearPrune();
    this.watch?.complete();
    this.watch = null;
  }

  /** Sends `room:recent`: one at a time, and once more after it when asked meanwhile. */
  private ask(): void {
    if (this.closed || !this.watch || !this.link.connected) return;
    if (this.asking) {
      this.askAgain = true;
      return;
    }
    const generation = this.generation;
    const watch = this.watch;
    this.asking = true;
    this.changes = [];
    this.link
      .request('room:recent', { room: this.room }, (reply) => {
        if (generation !== this.generation) return;
        let recent = recentOf(reply.recent);
        for (const change of this.changes ?? []) recent = change(recent);
        this.changes = null;
        this.set(recent);
      })
      .then(
        () => undefined,
        (error: unknown) => {
          if (generation !== this.generation || transient(error)) return;
          this.watch = null;
          this.clearPrune();
          watch.error(error);
        },
      )
      .finally(() => {
        if (generation !== this.generation) return;
        this.asking = false;
        this.changes = null;
        if (this.askAgain) {
          this.askAgain = false;
          this.ask();
        }
      });
  }

  private change(change: Change): void {
    if (!this.watch) return;
    this.changes?.push(change);
    const recent = this.watch.value;
    if (recent) this.set(change(recent));
  }

  /** Sets the list without what aged out, and waits for the oldest entry to age out. */
  private set(recent: Recent): void {
    const watch = this.watch;
    if (!watch) return;
    const current = leftSince(recent, this.clock.now() - this.windowMs);
    if (current !== watch.value) watch.next(current);
    this.clearPrune();
    const oldest = current.at(-1);
    if (oldest) this.pruneTimer = setTimeout(() => this.set(watch.value ?? NOBODY_RECENT), Math.max(0, oldest.leftAt + this.windowMs - this.clock.now()));
  }

  private clearPrune(): void {
    if (this.pruneTimer !== undefined) clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
  }
}

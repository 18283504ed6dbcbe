import { DestroyRef, inject, Injectable, type Signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import type { ConnectionState, PresenceClient, PresenceRoom, RoomEvent } from '@presently/client';
import type { ActivityState, Member, PageCounts, PollTallies, ProfileInput, RecentLeaver, Session, Stats } from '@presently/protocol';
import { catchError, combineLatest, type Observable, of, switchMap } from 'rxjs';
import { PRESENCE_CLIENT } from './provide-presently';

/** A page or room name given as a value or as a signal (a component input). */
export type Key = string | Signal<string>;

const asObservable = (key: Key): Observable<string> => (typeof key === 'string' ? of(key) : toObservable(key));

/** A rate (`every`, ms) given as a value or as a signal; undefined: the server's own. */
export type Rate = number | undefined | Signal<number | undefined>;

const rateObservable = (rate: Rate): Observable<number | undefined> => (typeof rate === 'function' ? toObservable(rate) : of(rate));

/**
 * The client's streams as observables and as signals for templates, plus
 * reference-counted presence: two components entering one page (or joining
 * one room) enter it once, and it is left when the last of them is destroyed.
 *
 * The signal helpers (`pageCount`, `members`, ...) must be called in an
 * injection context (a field initialiser or constructor); they stop with it.
 */
@Injectable({ providedIn: 'root' })
export class PresenceService {
  readonly client: PresenceClient = inject(PRESENCE_CLIENT);
  readonly connectionState: Signal<ConnectionState> = toSignal(this.client.connectionState$, {
    initialValue: 'connecting',
  });
  readonly session: Signal<Session | null> = toSignal(this.client.session$, { initialValue: null });
  /** This page's activity as the client reports it (`active` where nothing is tracked: the server, activity off). */
  readonly activity: Signal<ActivityState> = toSignal(this.client.activity$, { initialValue: 'active' });

  private readonly entered = new Map<string, number>();
  private readonly joined = new Map<string, { holders: number; profile?: ProfileInput }>();

  /**
   * A page's counts (watched while the caller lives); `null` until the first
   * arrives. `every` (ms) asks for at most one count per `every` (see the
   * client's `pageCount$`); a change of page or rate watches again.
   */
  pageCount(page: Key, every?: Rate): Signal<PageCounts | null> {
    const counts = combineLatest([asObservable(page), rateObservable(every)]).pipe(
      switchMap(([p, rate]) => this.client.pageCount$(p, rate === undefined ? undefined : { every: rate })),
    );
    return toSignal(counts, { initialValue: null });
  }

  /** Global stats (watched while the caller lives); `null` until they arrive. */
  stats(): Signal<Stats | null> {
    return toSignal(this.client.stats$, { initialValue: null });
  }

  /** A room's members; empty until the room is joined. */
  members(room: Key): Signal<readonly Member[]> {
    return toSignal(asObservable(room).pipe(switchMap((r) => this.client.room(r).members$)), { initialValue: [] });
  }

  /** The userIds of the room's other members typing now (while joined). */
  typing(room: Key): Signal<readonly string[]> {
    return toSignal(asObservable(room).pipe(switchMap((r) => this.client.room(r).typing$)), { initialValue: [] });
  }

  /**
   * Who left the room in the last `RECENT_MS` (asked for while the caller
   * lives); `null` until the answer comes, or when it is refused.
   */
  recent(room: Key): Signal<readonly RecentLeaver[] | null> {
    return toSignal(
      asObservable(room).pipe(switchMap((r) => this.client.room(r).recent$.pipe(catchError(() => of(null))))),
      { initialValue: null },
    );
  }

  /** A room's joins, leaves and updates, as they arrive. */
  roomEvents(room: string): Observable<RoomEvent> {
    return this.client.room(room).events$;
  }

  /** A poll's tallies (watched while the caller lives). */
  poll(poll: string): Signal<PollTallies | null> {
    return toSignal(this.client.poll(poll).tallies$, { initialValue: null });
  }

  /**
   * Counts this client on `page` until the returned function is called (or,
   * in an injection context, until the caller is destroyed).
   */
  enter(page: string, destroyRef: DestroyRef | null = inject(DestroyRef, { optional: true })): () => void {
    const holders = this.entered.get(page) ?? 0;
    this.entered.set(page, holders + 1);
    if (holders === 0) this.client.enterPage(page).catch(() => undefined);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.entered.get(page) ?? 1) - 1;
      if (left > 0) return void this.entered.set(page, left);
      this.entered.delete(page);
      this.client.leavePage(page).catch(() => undefined);
    };
    destroyRef?.onDestroy(release);
    return release;
  }

  /**
   * Joins `room` until the returned handle is released (or, in an injection
   * context, until the caller is destroyed). The latest profile given by any
   * holder applies.
   */
  join(room: string, profile?: ProfileInput, destroyRef: DestroyRef | null = inject(DestroyRef, { optional: true })): RoomHandle {
    const state = this.joined.get(room) ?? { holders: 0 };
    state.holders++;
    this.joined.set(room, state);
    const target: PresenceRoom = this.client.room(room);
    if (state.holders === 1) {
      state.profile = profile;
      target.join(profile).catch(() => undefined);
    } else if (profile) {
      this.update(room, profile);
    }
    let released = false;
    const handle: RoomHandle = {
      room,
      update: (next) => this.update(room, next),
      release: () => {
        if (released) return;
        released = true;
        const current = this.joined.get(room);
        if (!current || --current.holders > 0) return;
        this.joined.delete(room);
        target.leave().catch(() => undefined);
      },
    };
    destroyRef?.onDestroy(handle.release);
    return handle;
  }

  private update(room: string, profile: ProfileInput): Promise<Member | null> {
    const state = this.joined.get(room);
    if (state) state.profile = { ...state.profile, ...profile };
    return this.client.room(room).update(profile).catch(() => null);
  }
}

export interface RoomHandle {
  readonly room: string;
  /** Changes this user's profile in the room; resolves with it, or `null` if refused. */
  update(profile: ProfileInput): Promise<Member | null>;
  release(): void;
}

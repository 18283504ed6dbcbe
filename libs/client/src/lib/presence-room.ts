import { rosterDigest, type Member, type ProfileInput } from '@presently/protocol';
import { BehaviorSubject, distinctUntilChanged, type Observable, ReplaySubject, share, Subject } from 'rxjs';
import type { Link, RunCommand } from './link';
import { transient } from './presence-error';
import { applyRoomEvent, type Members, membersOf, NO_MEMBERS, upsertMember } from './room-state';
import type { PresenceRoom, RoomEvent, RoomJoinResult } from './types';

/**
 * One room as this client sees it. The member list comes from the join ack
 * and then follows `room:joined`, `room:left` and `room:updated` (as new
 * arrays); the client's own profile changes are applied from the update ack,
 * since the server does not echo them. Pushes and acks share one ordered
 * socket, so no event can arrive before the ack it follows: nothing needs
 * buffering. The profile last asked for is kept to join again after a
 * reconnection, and the list is replaced by that join's ack.
 */
export class Room implements PresenceRoom {
  readonly members$: Observable<readonly Member[]>;
  /** Events, not state: a late subscriber gets the next one, not a replay of the last. */
  readonly events$: Observable<RoomEvent>;
  readonly total$: Observable<number>;
  private readonly members = new BehaviorSubject<Members>(NO_MEMBERS);
  private readonly total = new BehaviorSubject<number>(0);
  private readonly events = new Subject<RoomEvent>();
  /** Whether the client means to be a member (set when asked, not when answered). */
  private joined = false;
  private profile: ProfileInput = {};
  /** Bumped by every join and leave asked for: a refused join undoes only its own intent. */
  private intent = 0;
  /** Join commands not settled yet. */
  private pendingJoins = 0;
  /** The join that restores this room on a new socket, or resyncs its list, while on its way. */
  private restoring: Promise<void> | null = null;
  /** The last digest that came while a join was on its way. */
  private owed: string | null = null;

  constructor(
    readonly name: string,
    private readonly link: Link,
    private readonly run: RunCommand,
  ) {
    this.members$ = this.members.pipe(
      distinctUntilChanged(),
      share({ connector: () => new ReplaySubject<Members>(1), resetOnRefCountZero: true }),
    );
    this.events$ = this.events.pipe(share());
    this.total$ = this.total.pipe(
      distinctUntilChanged(),
      share({ connector: () => new ReplaySubject<number>(1), resetOnRefCountZero: true }),
    );
  }

  join(profile?: ProfileInput): Promise<RoomJoinResult> {
    // What the client means to be is set now, not when the ack comes: a
    // reconnection restores it even before this command is answered, and in
    // a cluster acks may come back out of order (a leave's before an earlier
    // join's). Joining again applies the new profile as an update: the two merge.
    this.profile = this.joined ? { ...this.profile, ...profile } : { ...profile };
    this.joined = true;
    const intent = ++this.intent;
    this.pendingJoins++;
    const joining = this.run(async () => {
      const ack = await this.sendJoin();
      const members = membersOf(ack.members);
      return { room: this.name, self: ack.self, members: [...members], total: ack.total ?? members.length };
    });
    return joining
      .catch((error: unknown) => {
        // Refused: not a member, unless a later command changed the intent again.
        if (!transient(error) && intent === this.intent) this.forget();
        throw error;
      })
      .finally(() => {
        this.pendingJoins--;
        this.checkOwed();
      });
  }

  leave(): Promise<void> {
    this.intent++;
    this.forget();
    return this.run(async () => {
      await this.link.request('room:leave', { room: this.name });
    });
  }

  update(profile: ProfileInput): Promise<Member> {
    // The profile a reconnection joins with, from now on.
    if (this.joined) this.profile = { ...this.profile, ...profile };
    return this.run(async () => {
      const { self } = await this.link.request('room:update', { room: this.name, profile }, (reply) => {
        if (this.joined) this.members.next(upsertMember(this.members.value, reply.self));
      });
      return self;
    });
  }

  /** A `room:joined`, `room:left` or `room:updated` for this room. */
  apply(event: RoomEvent): void {
    if (!this.joined) return;
    this.members.next(applyRoomEvent(this.members.value, event));
    // Per-member events come only while the list is the whole room.
    this.total.next(this.members.value.length);
    this.events.next(event);
  }

  /**
   * A `room:removed`: the application took this client out of the room. It
   * is no longer a member (nor after a reconnection); it may join again.
   */
  removed(): void {
    if (!this.joined) return;
    this.intent++;
    this.forget();
    this.events.next({ type: 'removed', room: this.name });
  }

  /** A `room:sync` snapshot (a large room back under its roster limit). */
  sync(members: readonly Member[]): void {
    if (!this.joined) return;
    this.members.next(membersOf(members));
    this.total.next(members.length);
  }

  /** A `room:count`: the room is large, its list is no longer kept member by member. */
  count(total: number): void {
    if (this.joined) this.total.next(total);
  }

  /**
   * On a new socket: joins again with the last profile; its ack resyncs the
   * list. Not while a join is waiting to be sent or answered: it will.
   */
  restore(): Promise<void> {
    if (!this.joined || this.pendingJoins > 0) return Promise.resolve();
    this.restoring ??= this.rejoin().finally(() => {
      this.restoring = null;
      this.checkOwed();
    });
    return this.restoring;
  }

  /**
   * A `room:digest`: the server's list as it stands after a change. A list
   * here that gives another digest drifted (a lost or reordered event, an
   * ack older than a push): a join again brings a fresh one. One at a time,
   * and not while a join is on its way (it brings one).
   */
  digest(digest: string): void {
    this.owed = digest;
    this.checkOwed();
  }

  /** Compares the list with the last digest not checked yet, unless a join is on its way (then once it is answered). */
  private checkOwed(): void {
    const owed = this.owed;
    if (owed === null || !this.joined || this.pendingJoins > 0 || this.restoring) return;
    this.owed = null;
    if (rosterDigest(this.members.value) !== owed) void this.restore();
  }

  private rejoin(): Promise<void> {
    return this.sendJoin().then(
      () => undefined,
      (error: unknown) => {
        if (transient(error)) return;
        // Refused now (a new token without the rights, a lowered limit): no longer a member.
        this.forget();
      },
    );
  }

  /**
   * Sends `room:join` with the whole profile meant now (for the server the
   * same as a call's fields merged, and right on a new socket too); its list
   * is taken as the ack arrives, unless a leave was asked for since.
   */
  private sendJoin() {
    const meant = Object.keys(this.profile).length > 0 ? { profile: this.profile } : {};
    return this.link.request('room:join', { room: this.name, ...meant }, (reply) => {
      if (!this.joined) return;
      this.members.next(membersOf(reply.members));
      this.total.next(reply.total ?? reply.members.length);
    });
  }

  /** No longer a member, as far as this client knows. */
  private forget(): void {
    this.joined = false;
    this.profile = {};
    this.owed = null;
    this.members.next(NO_MEMBERS);
    this.total.next(0);
  }

  complete(): void {
    this.members.complete();
    this.total.complete();
    this.events.complete();
  }
}

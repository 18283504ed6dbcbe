import { rosterDigest, type Member, type ProfileInput } from '@presently/protocol';
import { BehaviorSubject, distinctUntilChanged, type Observable, ReplaySubject, share, Subject } from 'rxjs';
import type { Link, RunCommand } from './link';
import { transient } from './presence-error';
import type { Recent } from './recent-state';
import { RecentLeavers } from './recent-leavers';
import { applyRoomEvent, type Members, membersOf, NO_MEMBERS, upsertMember } from './room-state';
import type { ServerClock } from './server-clock';
import { TypingSender, type TypingOptions } from './typing-sender';
import { NOBODY_TYPING, type Typing, typingOf, withoutTyping, withTyping } from './typing-state';
import type { PresenceRoom, RemovedReason, RoomEvent, RoomJoinResult } from './types';

/** What a room needs of its client besides the link. */
export interface RoomSettings {
  clock: ServerClock;
  typing?: TypingOptions;
  /** The server's `RECENT_MS`. */
  recentMs: number;
  /** This client's userId, when a session came. */
  self: string | null;
}

/**
 * One room as this client sees it. The member list comes from the join ack
 * and then follows `room:joined`, `room:left` and `room:updated` (as new
 * arrays; an update with `previousUserId` replaces that member in its
 * place); the client's own profile changes are applied from the update ack,
 * since the server does not echo them. Pushes and acks share one ordered
 * socket, so no event can arrive before the ack it follows: nothing needs
 * buffering. The profile last asked for is kept to join again after a
 * reconnection, and the list is replaced by that join's ack.
 *
 * Who else is typing follows the same path (the join ack's and `room:sync`'s
 * `typing`, then `room:typing`; a leave ends it); this user's own typing is
 * a {@link TypingSender}; recent leavers are {@link RecentLeavers}.
 */
export class Room implements PresenceRoom {
  readonly members$: Observable<readonly Member[]>;
  /** Events, not state: a late subscriber gets the next one, not a replay of the last. */
  readonly events$: Observable<RoomEvent>;
  readonly total$: Observable<number>;
  readonly typing$: Observable<Typing>;
  readonly recent$: Observable<Recent>;
  private readonly members = new BehaviorSubject<Members>(NO_MEMBERS);
  private readonly total = new BehaviorSubject<number>(0);
  private readonly events = new Subject<RoomEvent>();
  private readonly others = new BehaviorSubject<Typing>(NOBODY_TYPING);
  private readonly typingSender: TypingSender;
  private readonly recent: RecentLeavers;
  private self: string | null;
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
    settings: RoomSettings,
  ) {
    this.self = settings.self;
    this.typingSender = new TypingSender((typing) => this.sendTyping(typing), settings.typing);
    this.recent = new RecentLeavers(name, link, settings.clock, settings.recentMs);
    this.recent$ = this.recent.recent$;
    this.typing$ = this.others.pipe(
      distinctUntilChanged(),
      share({ connector: () => new ReplaySubject<Typing>(1), resetOnRefCountZero: true }),
    );
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

  typing(): void {
    if (this.joined) this.typingSender.typed();
  }

  stopTyping(): void {
    this.typingSender.stop();
  }

  /** A `room:joined`, `room:left` or `room:updated` for this room. */
  apply(event: RoomEvent): void {
    if (!this.joined) return;
    if (event.type === 'left') {
      const name = this.members.value.find((m) => m.userId === event.userId)?.name;
      this.recent.left(event.userId, name, event.duration);
      this.others.next(withoutTyping(this.others.value, event.userId));
    } else if (event.type === 'joined' || event.type === 'updated') {
      this.recent.back(event.member.userId);
      if (event.type === 'updated' && event.previousUserId !== undefined) this.others.next(withoutTyping(this.others.value, event.previousUserId));
    }
    this.members.next(applyRoomEvent(this.members.value, event));
    // Per-member events come only while the list is the whole room.
    this.total.next(this.members.value.length);
    this.events.next(event);
  }

  /** A `room:typing`: another member started or stopped typing. */
  typingChanged(userId: string, typing: boolean): void {
    if (this.joined) this.others.next(withTyping(this.others.value, userId, typing, this.self));
  }

  /** This client's userId, from its session: never listed as typing. */
  identify(self: string): void {
    this.self = self;
    this.others.next(withoutTyping(this.others.value, self));
  }

  /**
   * The client is no longer a member (nor after a reconnection); it may
   * join again. `moderation`: a `room:removed` (the application took it
   * out). `identity`: the room was left by a `session:token`, whose new
   * identity may not be in it.
   */
  removed(reason: RemovedReason): void {
    if (!this.joined) return;
    this.intent++;
    this.forget();
    this.events.next({ type: 'removed', room: this.name, reason });
  }

  /** A `room:sync` snapshot (a large room back under its roster limit, or a hidden tab shown again). */
  sync(members: readonly Member[], total?: number, typing?: readonly string[]): void {
    if (!this.joined) return;
    this.members.next(membersOf(members));
    this.total.next(total ?? members.length);
    this.others.next(typingOf(typing, this.self));
    this.recent.missed();
  }

  /** A `room:count`: the room is large, its list is no longer kept member by member (nor who types). */
  count(total: number): void {
    if (!this.joined) return;
    this.total.next(total);
    this.others.next(NOBODY_TYPING);
  }

  /**
   * On a new socket: joins again with the last profile; its ack resyncs the
   * list. Not while a join is waiting to be sent or answered: it will. The
   * recent leavers are asked for again, and this user's typing is sent
   * again with the next keystroke.
   */
  restore(): Promise<void> {
    this.typingSender.newSocket();
    // A join again sent on the old socket was answered by its drop.
    this.restoring = null;
    const rejoined = this.joined && this.pendingJoins === 0 ? this.resync() : Promise.resolve();
    this.recent.restore();
    return rejoined;
  }

  /**
   * Joins again (the identity changed, or the list drifted): its ack brings
   * the list as it is now. Sent at once, or after the join again on its way
   * is answered (one at a time, so that an older answer never comes last).
   */
  resync(): Promise<void> {
    if (!this.joined) return Promise.resolve();
    const previous = this.restoring;
    const restoring: Promise<void> = (previous ? previous.then(() => (this.joined ? this.rejoin() : undefined)) : this.rejoin()).finally(() => {
      if (this.restoring !== restoring) return;
      this.restoring = null;
      this.checkOwed();
    });
    this.restoring = restoring;
    return restoring;
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
    if (rosterDigest(this.members.value) !== owed) void this.resync();
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
      this.others.next(typingOf(reply.typing, this.self));
    });
  }

  /** No longer a member, as far as this client knows. */
  private forget(): void {
    this.joined = false;
    this.profile = {};
    this.owed = null;
    this.members.next(NO_MEMBERS);
    this.total.next(0);
    this.others.next(NOBODY_TYPING);
    // The server ends this socket's typing with its membership.
    this.typingSender.reset();
  }

  /** Sends this user's typing while the room is joined and the socket up; answers whether it did. */
  private sendTyping(typing: boolean): boolean {
    if (!this.joined || !this.link.connected) return false;
    this.link.request('room:typing', { room: this.name, typing }).catch(() => undefined);
    return true;
  }

  complete(): void {
    this.typingSender.reset();
    this.recent.complete();
    this.members.complete();
    this.total.complete();
    this.others.complete();
    this.events.complete();
  }
}

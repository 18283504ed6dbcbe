import type { ConnectionState, PresenceClient, PresencePoll, PresenceRoom, RoomEvent, RoomJoinResult } from '@presently/client';
import type { ActivityState, Member, PageCounts, PollTallies, ProfileInput, RecentLeaver, Session, Stats } from '@presently/protocol';
import { BehaviorSubject, filter, Observable, ReplaySubject, Subject } from 'rxjs';

/**
 * An in-memory stand-in for the client, for unit tests of the bindings: the
 * test pushes values and reads which commands the bindings sent.
 */
export class FakePresenceClient implements PresenceClient {
  readonly calls: string[] = [];
  readonly state = new BehaviorSubject<ConnectionState>('connecting');
  readonly sessions = new ReplaySubject<Session>(1);
  readonly statsSubject = new ReplaySubject<Stats>(1);
  readonly activitySubject = new BehaviorSubject<ActivityState>('active');
  /** What `serverNow()` answers. */
  now = 0;
  readonly counts = new Map<string, BehaviorSubject<PageCounts>>();
  /** Subscribers per page, as the real client would watch. */
  readonly watchers = new Map<string, number>();
  /** Each `pageCount$` subscription's page and rate (`every`, undefined: the server's own), in order. */
  readonly rates: Array<{ page: string; every: number | undefined }> = [];
  private readonly rooms = new Map<string, FakeRoom>();
  private readonly events = new Subject<{ event: string; data: unknown }>();

  readonly connectionState$ = this.state.asObservable();
  readonly session$ = this.sessions.asObservable();
  readonly stats$ = this.statsSubject.asObservable();
  readonly activity$ = this.activitySubject.asObservable();

  pageCount$(page: string, options?: { every?: number }): Observable<PageCounts> {
    return new Observable<PageCounts>((subscriber) => {
      this.rates.push({ page, every: options?.every });
      this.watchers.set(page, (this.watchers.get(page) ?? 0) + 1);
      const subscription = this.count(page).subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.watchers.set(page, (this.watchers.get(page) ?? 1) - 1);
      };
    });
  }

  /** Sets a page's counts as the server would push them. */
  setCount(page: string, viewers: number, connections = viewers): void {
    this.count(page).next({ page, viewers, connections, active: viewers });
  }

  async enterPage(page: string): Promise<PageCounts> {
    this.calls.push(`enter ${page}`);
    return this.count(page).value;
  }
  async leavePage(page: string): Promise<void> {
    this.calls.push(`leave ${page}`);
  }
  async watchPages(pages: string[]): Promise<PageCounts[]> {
    return pages.map((page) => this.count(page).value);
  }
  async unwatchPages(): Promise<void> {
    return undefined;
  }
  room(name: string): FakeRoom {
    let room = this.rooms.get(name);
    if (!room) this.rooms.set(name, (room = new FakeRoom(name, this.calls)));
    return room;
  }
  join(room: string, profile?: ProfileInput): Promise<RoomJoinResult> {
    return this.room(room).join(profile);
  }
  leave(room: string): Promise<void> {
    return this.room(room).leave();
  }
  updateProfile(room: string, profile: ProfileInput): Promise<Member> {
    return this.room(room).update(profile);
  }
  typing(room: string): void {
    this.room(room).typing();
  }
  stopTyping(room: string): void {
    this.room(room).stopTyping();
  }
  async setToken(token: string | null): Promise<Session> {
    this.calls.push(`token ${token}`);
    const session: Session = { protocol: '1.1', clientId: 'browser-1', userId: token ?? 'a_AAAAAAAAAAAAAAAAAAAAAA', name: token, roles: [], serverTime: this.now };
    this.sessions.next(session);
    return session;
  }
  signOut(): Promise<Session> {
    return this.setToken(null);
  }
  serverNow(): number {
    return this.now;
  }
  poll(name: string): PresencePoll {
    const tallies = new BehaviorSubject<PollTallies>({ poll: name, tallies: {} });
    return {
      name,
      tallies$: tallies.asObservable(),
      vote: async (option) => {
        const next = { ...tallies.value.tallies, [option]: (tallies.value.tallies[option] ?? 0) + 1 };
        tallies.next({ poll: name, tallies: next });
        return tallies.value;
      },
    };
  }
  on$<T = unknown>(event: string): Observable<T> {
    return new Observable<T>((subscriber) =>
      this.events.pipe(filter((e) => e.event === event)).subscribe((e) => subscriber.next(e.data as T)),
    );
  }
  close(): void {
    this.calls.push('close');
    this.state.next('offline');
  }

  private count(page: string): BehaviorSubject<PageCounts> {
    let subject = this.counts.get(page);
    if (!subject) this.counts.set(page, (subject = new BehaviorSubject<PageCounts>({ page, viewers: 0, connections: 0, active: 0 })));
    return subject;
  }
}

export const member = (userId: string, status = 'online', name = userId): Member => ({
  userId,
  name,
  status,
  meta: {},
  connections: 1,
  since: 0,
  activity: 'active',
});

export const leaver = (userId: string, leftAt: number, duration: number, name = userId): RecentLeaver => ({ userId, name, leftAt, duration });

export class FakeRoom implements PresenceRoom {
  readonly membersSubject = new BehaviorSubject<readonly Member[]>([]);
  readonly eventsSubject = new Subject<RoomEvent>();
  readonly members$ = this.membersSubject.asObservable();
  readonly events$ = this.eventsSubject.asObservable();
  readonly total$ = new BehaviorSubject<number>(0).asObservable();
  readonly typingSubject = new BehaviorSubject<readonly string[]>([]);
  readonly typing$ = this.typingSubject.asObservable();
  /** The recent leavers the server would answer; `recentWatchers` counts subscribers. */
  readonly recentSubject = new ReplaySubject<readonly RecentLeaver[]>(1);
  recentWatchers = 0;
  readonly recent$ = new Observable<readonly RecentLeaver[]>((subscriber) => {
    this.recentWatchers++;
    const subscription = this.recentSubject.subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      this.recentWatchers--;
    };
  });

  constructor(
    readonly name: string,
    private readonly calls: string[],
  ) {}

  async join(profile?: ProfileInput): Promise<RoomJoinResult> {
    this.calls.push(`join ${this.name} ${JSON.stringify(profile ?? {})}`);
    const self = member('me', profile?.status ?? 'online', profile?.name ?? 'Anonymous');
    this.membersSubject.next([...this.membersSubject.value, self]);
    return { room: this.name, self, members: [...this.membersSubject.value], total: this.membersSubject.value.length };
  }
  async leave(): Promise<void> {
    this.calls.push(`leave ${this.name}`);
    this.membersSubject.next([]);
  }
  async update(profile: ProfileInput): Promise<Member> {
    this.calls.push(`update ${this.name} ${JSON.stringify(profile)}`);
    return member('me', profile.status ?? 'online', profile.name ?? 'Anonymous');
  }
  typing(): void {
    this.calls.push(`typing ${this.name}`);
  }
  stopTyping(): void {
    this.calls.push(`stop typing ${this.name}`);
  }
}

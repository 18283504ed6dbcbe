import {
  DEFAULT_RECENT_MS,
  type ActivityState,
  type Member,
  type PageCounts,
  type PollTallies,
  type ProfileInput,
  type RoomDigestEvent,
  type RoomJoinedEvent,
  type RoomLeftEvent,
  type RoomRemovedEvent,
  type RoomSyncEvent,
  type RoomTypingEvent,
  type RoomUpdatedEvent,
  type Session,
  type Stats,
} from '@presently/protocol';
import { BehaviorSubject, distinctUntilChanged, Observable, ReplaySubject, share, takeUntil } from 'rxjs';
import { ActivityReporter } from './activity-reporter';
import { documentActivitySource } from './activity-source';
import { ActivityTracker } from './activity-tracker';
import { ClientIdStore } from './client-id';
import { CommandQueue } from './command-queue';
import { Connection, type HandshakeAuth, type SocketFactory } from './connection';
import { HandshakeToken } from './handshake-token';
import type { Link, RunCommand } from './link';
import { Pages } from './pages';
import { PresenceError } from './presence-error';
import { Poll } from './presence-poll';
import { Room } from './presence-room';
import { ServerClock } from './server-clock';
import { ServerWatches } from './server-watches';
import type { ConnectionState, PageCountOptions, PresenceClient, PresenceClientOptions, PresencePoll, PresenceRoom, RoomJoinResult } from './types';

const STATS_KEY = 'stats';
const DEFAULT_IDLE_MS = 60_000;
const sameSession = (a: Session | null, b: Session) =>
  a !== null && a.clientId === b.clientId && a.userId === b.userId && a.name === b.name && a.protocol === b.protocol && a.roles.join('\n') === b.roles.join('\n');
const sameStats = (a: Stats, b: Stats) => JSON.stringify(a) === JSON.stringify(b);
const sameTallies = (a: PollTallies, b: PollTallies) => {
  const options = Object.keys(a.tallies);
  return a.poll === b.poll && a.closed === b.closed && options.length === Object.keys(b.tallies).length && options.every((o) => a.tallies[o] === b.tallies[o]);
};

/**
 * The client behind `createPresenceClient`: one socket, the commands queue,
 * and the state to restore on every new socket (the page's activity, pages,
 * rooms, watches). The state goes `connected` only once everything was
 * restored.
 */
export class Client implements PresenceClient {
  readonly connectionState$: Observable<ConnectionState>;
  readonly session$: Observable<Session>;
  readonly stats$: Observable<Stats>;
  readonly activity$: Observable<ActivityState>;

  private readonly state = new BehaviorSubject<ConnectionState>('connecting');
  private readonly sessions = new ReplaySubject<Session>(1);
  private lastSession: Session | null = null;
  private readonly clock = new ServerClock();
  private readonly token: HandshakeToken;
  private readonly activity = new BehaviorSubject<ActivityState>('active');
  private readonly activityTracker: ActivityTracker | null;
  private readonly activityReporter: ActivityReporter;
  private readonly closed$ = new ReplaySubject<void>(1);
  private readonly commands = new CommandQueue();
  private readonly clientId: ClientIdStore;
  private readonly connection: Connection;
  private readonly link: Link;
  private readonly pages: Pages;
  private readonly stats: ServerWatches<Stats>;
  private readonly polls: ServerWatches<PollTallies>;
  private readonly rooms = new Map<string, Room>();
  private readonly pollHandles = new Map<string, Poll>();
  private readonly events = new Map<string, Observable<unknown>>();
  private readonly run: RunCommand = (send, resend) => this.commands.run(send, resend);
  /** Bumped on every connection change, so a restore that finishes late changes nothing. */
  private generation = 0;
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly options: PresenceClientOptions,
    factory?: SocketFactory,
  ) {
    this.clientId = new ClientIdStore(options.clientId, options.storage);
    this.token = new HandshakeToken(options.token);
    this.connection = new Connection(
      {
        url: options.url,
        transports: options.transports ?? ['websocket', 'polling'],
        reconnectDelayMs: options.reconnectDelayMs ?? 500,
        reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? 10_000,
        ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
        auth: () => this.handshake(),
      },
      {
        connected: () => this.onConnected(),
        disconnected: () => this.onDisconnected(),
        refused: (error) => this.onRefused(error),
      },
      factory,
    );
    const connection = this.connection;
    this.link = {
      get connected() {
        return connection.connected;
      },
      request: (event, payload, applied) => connection.request(event, payload, applied),
    };
    this.pages = new Pages(this.link);
    this.stats = new ServerWatches<Stats>(
      this.link,
      {
        watch: (_key, applied) => this.link.request('stats:watch', {}, ({ online, top }) => applied({ online, top })),
        unwatch: () => this.link.request('stats:unwatch', {}),
      },
      sameStats,
    );
    this.polls = new ServerWatches<PollTallies>(
      this.link,
      {
        watch: (poll, applied) => this.link.request('poll:watch', { poll }, ({ tallies }) => applied({ poll, tallies })),
        unwatch: (poll) => this.link.request('poll:unwatch', { poll }),
      },
      sameTallies,
    );

    this.activityReporter = new ActivityReporter(this.link, () => this.activity.value);
    const activity = options.activity === false ? null : (options.activity ?? {});
    const source = activity && (activity.source ?? documentActivitySource());
    this.activityTracker = source
      ? new ActivityTracker(source, activity?.idleMs ?? DEFAULT_IDLE_MS, (state) => {
          this.activity.next(state);
          this.activityReporter.changed();
        })
      : null;

    this.connectionState$ = this.state.pipe(distinctUntilChanged(), shareLatest());
    this.session$ = this.sessions.pipe(shareLatest());
    this.stats$ = this.stats.stream(STATS_KEY);
    this.activity$ = this.activity.pipe(distinctUntilChanged(), shareLatest());
    this.listen();
    this.activityTracker?.start();
    if (options.autoConnect !== false) this.connection.open();
  }

  pageCount$(page: string, options: PageCountOptions = {}): Observable<PageCounts> {
    return this.pages.counts$(page, options.every);
  }

  enterPage(page: string): Promise<PageCounts> {
    const mark = this.pages.entering(page);
    return this.run(() => this.pages.enter(page))
      .catch((error: unknown) => {
        this.pages.refused(page, mark, error);
        throw error;
      })
      .finally(() => this.pages.settled(page));
  }

  leavePage(page: string): Promise<void> {
    this.pages.leaving(page);
    return this.run(() => this.pages.leave(page));
  }

  watchPages(pages: string[]): Promise<PageCounts[]> {
    return this.run(() => this.pages.watch([...pages]));
  }

  unwatchPages(pages: string[]): Promise<void> {
    return this.run(() => this.pages.unwatch([...pages]));
  }

  room(name: string): PresenceRoom {
    return this.roomNamed(name);
  }

  join(room: string, profile?: ProfileInput): Promise<RoomJoinResult> {
    return this.roomNamed(room).join(profile);
  }

  leave(room: string): Promise<void> {
    return this.roomNamed(room).leave();
  }

  updateProfile(room: string, profile: ProfileInput): Promise<Member> {
    return this.roomNamed(room).update(profile);
  }

  typing(room: string): void {
    this.roomNamed(room).typing();
  }

  stopTyping(room: string): void {
    this.roomNamed(room).stopTyping();
  }

  /**
   * Sends `session:token`. The server emits the new `session` before its
   * ack, and leaves the rooms named in `left` first: the new token is the
   * one reconnections use from the ack on, those rooms are removed, and
   * every other joined room is joined again (its list shows this user under
   * the new identity: the server announces the change to the others only).
   * Sent again on the next connection if the connection drops first (the
   * same token twice changes nothing).
   */
  setToken(token: string | null): Promise<Session> {
    return this.run(async () => {
      const { session, left } = await this.link.request('session:token', { token }, (reply) => {
        this.token.set(token);
        this.sessionArrived(reply.session, true);
        for (const room of reply.left) this.rooms.get(room)?.removed('identity');
      });
      await Promise.all([...this.rooms.values()].filter((room) => !left.includes(room.name)).map((room) => room.resync()));
      return session;
    });
  }

  signOut(): Promise<Session> {
    return this.setToken(null);
  }

  serverNow(): number {
    return this.clock.now();
  }

  poll(name: string): PresencePoll {
    let poll = this.pollHandles.get(name);
    if (!poll) {
      poll = new Poll(name, this.polls, this.link, this.run);
      this.pollHandles.set(name, poll);
    }
    return poll;
  }

  on$<T = unknown>(event: string): Observable<T> {
    let stream = this.events.get(event);
    if (!stream) {
      stream = new Observable<unknown>((subscriber) => this.connection.listen(event, (payload) => subscriber.next(payload))).pipe(
        takeUntil(this.closed$),
        // Events, not state: a late subscriber must not see an old one again.
        share(),
      );
      this.events.set(event, stream);
    }
    return stream as Observable<T>;
  }

  reconnect(): void {
    if (this.closed) return;
    this.token.reset();
    this.generation += 1;
    this.commands.pause();
    this.commands.reset();
    this.state.next(this.everConnected ? 'reconnecting' : 'connecting');
    this.connection.reconnect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation += 1;
    this.activityTracker?.stop();
    this.activityReporter.close();
    this.commands.fail(new PresenceError('DISCONNECTED', 'the client is closed'));
    this.connection.close();
    this.state.next('offline');
    this.state.complete();
    this.sessions.complete();
    this.activity.complete();
    this.pages.complete();
    this.stats.complete();
    this.polls.complete();
    for (const room of this.rooms.values()) room.complete();
    this.closed$.next();
    this.closed$.complete();
  }

  private roomNamed(name: string): Room {
    let room = this.rooms.get(name);
    if (!room) {
      room = new Room(name, this.link, this.run, {
        clock: this.clock,
        typing: this.options.typing,
        recentMs: this.options.recentMs ?? DEFAULT_RECENT_MS,
        self: this.lastSession?.userId ?? null,
      });
      if (this.closed) room.complete();
      this.rooms.set(name, room);
    }
    return room;
  }

  /** Every server push has its listener from the start: `session` comes right after connecting. */
  private listen(): void {
    const on = <T>(event: string, listener: (payload: T) => void) => this.connection.listen(event, listener);
    on<Session>('session', (session) => this.sessionArrived(session));
    on<PageCounts>('page:count', (counts) => this.pages.pushed(counts));
    on<Stats>('stats', ({ online, top }) => this.stats.update(STATS_KEY, { online, top }));
    on<PollTallies>('poll:tally', ({ poll, tallies }) => this.polls.update(poll, { poll, tallies }));
    on<RoomJoinedEvent>('room:joined', ({ room, member }) => this.rooms.get(room)?.apply({ type: 'joined', room, member }));
    on<RoomUpdatedEvent>('room:updated', ({ room, member, previousUserId }) =>
      this.rooms.get(room)?.apply({ type: 'updated', room, member, ...(previousUserId !== undefined && { previousUserId }) }),
    );
    on<RoomLeftEvent>('room:left', ({ room, userId, reason, duration }) =>
      this.rooms.get(room)?.apply({ type: 'left', room, userId, reason, ...(duration !== undefined && { duration }) }),
    );
    on<RoomRemovedEvent>('room:removed', ({ room }) => this.rooms.get(room)?.removed('moderation'));
    on<RoomDigestEvent>('room:digest', ({ room, digest }) => this.rooms.get(room)?.digest(digest));
    on<RoomTypingEvent>('room:typing', ({ room, userId, typing }) => this.rooms.get(room)?.typingChanged(userId, typing));
    // Large rooms (over ROSTER_MAX) send `room:count` instead of joins and leaves, and a fresh list when they shrink back
    // (a hidden tab shown again gets one too).
    on<RoomSyncEvent>('room:sync', ({ room, members, total, typing }) => this.rooms.get(room)?.sync(members, total, typing));
    on<{ room: string; total: number }>('room:count', ({ room, total }) => this.rooms.get(room)?.count(total));
  }

  /**
   * A `session`: pushed (on every new socket, and before a `session:token`
   * ack), or from that ack, which repeats the push and is then not emitted
   * again.
   */
  private sessionArrived(session: Session, fromAck = false): void {
    this.clock.synced(session.serverTime);
    if (fromAck && sameSession(this.lastSession, session)) return;
    this.lastSession = session;
    this.clientId.set(session.clientId);
    for (const room of this.rooms.values()) room.identify(session.userId);
    this.sessions.next(session);
  }

  private async handshake(): Promise<HandshakeAuth> {
    const value = await this.token.resolve();
    const clientId = this.clientId.get();
    return { ...(clientId && { clientId }), ...(value && { token: value }) };
  }

  /** A new server-side socket: restore everything on it, then send the waiting commands. */
  private onConnected(): void {
    const generation = ++this.generation;
    this.everConnected = true;
    const restoring = [
      // First: a hidden tab's rejoins then announce no `active` member, and it is sent no figures it would not show.
      this.activityReporter.restore(),
      ...this.pages.restore(),
      ...[...this.rooms.values()].map((room) => room.restore()),
      ...this.stats.restore(),
      ...this.polls.restore(),
    ];
    this.commands.resume();
    void Promise.all(restoring).then(() => {
      if (generation === this.generation && this.connection.connected) this.state.next('connected');
    });
  }

  private onDisconnected(): void {
    this.generation += 1;
    this.commands.pause();
    this.state.next(this.everConnected ? 'reconnecting' : 'connecting');
  }

  private onRefused(error: PresenceError): void {
    this.generation += 1;
    this.commands.fail(error);
    this.state.next('offline');
  }
}

/** Multicasts through a ReplaySubject(1): one upstream subscription, and late subscribers get the latest value. */
function shareLatest<T>() {
  return share<T>({ connector: () => new ReplaySubject<T>(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true });
}

/**
 * Creates a client and starts connecting. Commands wait while the connection
 * is down and are sent, in order, once it is back; everything entered,
 * watched or joined is restored after every reconnection.
 *
 * @example
 * const client = createPresenceClient({ url: 'https://presence.example.com', token: () => auth.token() });
 * client.pageCount$('/blog/hello').subscribe(({ viewers }) => (badge.textContent = `${viewers} reading`));
 * await client.enterPage('/blog/hello');
 * const lobby = client.room('lobby');
 * lobby.members$.subscribe((members) => render(members));
 * await lobby.join({ name: 'Ada', status: 'online' });
 */
export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  return new Client(options);
}

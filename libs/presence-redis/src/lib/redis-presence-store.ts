import { randomUUID } from 'node:crypto';
import {
  ACTIVITY_STATES,
  DEFAULT_LIMITS,
  DEFAULT_NAME,
  DEFAULT_HISTORY_PAGES,
  DEFAULT_RECENT_MS,
  DEFAULT_STATUS,
  TOP_PAGES,
  type ActivityState,
  type HistoryPoint,
  type LeaveReason,
  type Member,
  type PageCounts,
  type PollTallies,
  type RecentLeaver,
  type RoomSyncEvent,
  type Stats,
} from '@presently/protocol';
import type { ClusterListener, ClusterRoster, ClusterVote, LedgerMember, PresenceCluster, PresenceContributions, RoomChange, UserSwitch } from '@presently/presence-core';
import type { Redis, RedisOptions } from 'ioredis';
import {
  CHANNEL,
  DATA_FORMAT,
  EXISTS,
  JOINED,
  LEFT,
  MEMBER_JOINED,
  MEMBER_LEFT,
  MOVED,
  MSG_PAGE,
  MSG_POLL,
  MSG_POLL_CLOSED,
  MSG_REBUILT,
  MSG_ROOM_COUNT,
  MSG_STATS,
  MSG_TAKEN_OVER,
  OK,
  OPTIONS,
  PAGE_OCCUPIED,
  PAGE_VACATED,
  REBUILD,
  REPLACED,
  ROOM_OCCUPIED,
  ROOM_VACATED,
  SHARE_PAGE,
  SHARE_ROOM,
  STARTED,
  STOPPED,
  SYNC,
  UPDATED,
} from './contract';
import type { ArgSpec, Argv, LuaScript, ScriptArgs } from './lua-script';
import { connectRedis, type RedisConnection } from './redis-connection';
import { historyFromHash } from './history-hash';
import {
  ACTIVITY,
  COUNTS,
  HEARTBEAT,
  HISTORY,
  HOLD,
  LEAVE,
  ONLINE,
  PAGE,
  POLL_CLOSE,
  POLL_DECLARE,
  POLL_VOTE,
  REAP,
  RECENT,
  RESTORE,
  ROOM,
  ROSTER,
  SCRIPTS,
  SECRET,
  shareEntries,
  STATS,
  SWITCH_USER,
  TYPING,
} from './scripts';

export interface RedisPresenceStoreOptions {
  /** The Redis: `{ url: 'redis://host:port/db' }`, or `{ sentinels, name }` to follow a master across failovers. */
  connection: RedisConnection;
  /**
   * Prefix of every key and channel; processes sharing presence use the same
   * one. The store adds the data format to it (`<prefix>f<DATA_FORMAT>:`).
   */
  prefix?: string;
  /** This process's id in the cluster; a random one by default. */
  nodeId?: string;
  /** How often the heartbeat is refreshed and the other processes checked (ms). */
  heartbeatMs?: number;
  /** How long a heartbeat lives: a process silent for longer is taken for dead (ms). */
  heartbeatTtlMs?: number;
  /** Members above which a room is large (the protocol's `ROSTER_MAX`); the same in every process. */
  rosterMax?: number;
  /** How long a room remembers who left it (the protocol's `RECENT_MS`, ms); the same in every process. */
  recentMs?: number;
  /** Pages that keep an occupancy history, the busiest (the protocol's `HISTORY_PAGES`); the same in every process. */
  historyPages?: number;
  /** Told about connection changes and failures (for logs). */
  log?: (level: 'info' | 'warn' | 'error', msg: string, details?: Record<string, unknown>) => void;
}

/**
 * The cluster-wide figures of every Presently process, kept in Redis (see
 * `scripts.ts` for the keys). Each contribution change is one Lua script, so
 * one round trip, atomic across processes. Every process records its share
 * under its own node key and heartbeats; the others withdraw the share of a
 * process whose heartbeat lapsed, exactly once. When the link comes back, or
 * the store finds its share gone (Redis restarted), it rebuilds the share from
 * the live local registry in one script.
 *
 * Commands are never queued while Redis is unreachable: they fail at once, and
 * the rebuild on reconnection makes the figures exact again. What the other
 * processes changed meanwhile was not told key by key, so the listener hears
 * `resynced()` whenever its figures must be read again: after this store's
 * rebuild, after another process's, and when the subscription is back.
 *
 * Every key and channel is under the prefix and the data format
 * (`<prefix>f<DATA_FORMAT>:`, see `contract.ts`), so that processes of two
 * formats never share keys.
 *
 * Each change of who is present (a page or room occupied or vacated, a
 * member joined or left) is decided by the script that made it, so once for
 * the whole cluster, and told to this process's listener when the change
 * was this process's: its own join, leave or expiry, its withdrawal of a
 * process it found dead or of itself when it stops, and its rebuild (whose
 * arrivals are told only if Redis kept its data: after Redis lost it they are
 * no news).
 *
 * @example
 * const store = new RedisPresenceStore({ connection: { url: 'redis://localhost:6379' } });
 * const presence = new Presence(clock, sink, options, store);
 * await store.start(() => presence.contributions(), {
 *   changed: (page) => announce(page),
 *   resynced: () => announceAll(),
 *   // roomJoined, roomUpdated, roomLeft, roomTyping, roomChanged, roomSync, pollChanged, takenOver
 * });
 */
export class RedisPresenceStore implements PresenceCluster {
  readonly nodeId: string;
  /** The configured prefix and the data format: the start of every key and channel. */
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly rosterMax: number;
  private readonly recentMs: number;
  private readonly historyPages: number;
  private readonly client: Redis;
  /** The client's script commands, by name. */
  private readonly scripts: Record<string, (...args: Argv) => Promise<unknown>>;
  private readonly subscriber: Redis;
  private contributions: () => PresenceContributions = () => ({ online: [], pages: [], rooms: [], held: [], typing: [] });
  private listener: ClusterListener | null = null;
  private last: Promise<unknown> = Promise.resolve();
  private restored = false;
  private restoring: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Whether {@link start} was called: until then a connection of the client rebuilds nothing. */
  private started = false;
  /** The client's first connection, made by whichever of {@link sharedSecret} and {@link start} comes first. */
  private connecting: Promise<void> | null = null;
  /** The anonymous-id secret this process derives with (see {@link sharedSecret}); null: it asked for none. */
  private secret: string | null = null;
  private secretAdopted: (secret: string) => void = () => undefined;
  /** Whether the first subscription was made: a later `ready` of the subscriber is a reconnection. */
  private subscribed = false;
  /** The epoch of the data this process last rebuilt into (`P epoch`); '' before its first rebuild (whose arrivals are all news). */
  private epoch = '';

  constructor(private readonly options: RedisPresenceStoreOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = `${options.prefix ?? 'presently:'}f${DATA_FORMAT}:`;
    this.heartbeatMs = options.heartbeatMs ?? 3000;
    this.ttlMs = options.heartbeatTtlMs ?? 10_000;
    this.rosterMax = options.rosterMax ?? DEFAULT_LIMITS.rosterMax;
    this.recentMs = options.recentMs ?? DEFAULT_RECENT_MS;
    this.historyPages = options.historyPages ?? DEFAULT_HISTORY_PAGES;
    const redisOptions: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    };
    this.client = connectRedis(options.connection, redisOptions);
    for (const script of SCRIPTS) this.client.defineCommand(script.name, { numberOfKeys: 0, lua: script.lua });
    this.scripts = this.client as unknown as Record<string, (...args: Argv) => Promise<unknown>>;
    this.subscriber = connectRedis(options.connection, { ...redisOptions, enableOfflineQueue: true });
    this.client.on('error', (error: Error) => this.log('warn', 'redis error', { error: error.message }));
    this.subscriber.on('error', () => undefined);
    this.client.on('close', () => {
      if (this.restored) this.log('warn', 'redis link lost');
      this.restored = false;
    });
    this.client.on('ready', () => {
      if (this.started) void this.restore();
    });
    this.subscriber.on('ready', () => void this.resubscribed());
  }

  get ready(): boolean {
    return this.restored && this.client.status === 'ready';
  }

  async start(contributions: () => PresenceContributions, listener: ClusterListener): Promise<void> {
    this.contributions = contributions;
    this.listener = listener;
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    await this.subscriber.connect();
    await this.subscriber.subscribe(this.channel);
    this.subscribed = true;
    this.started = true;
    await this.connect();
    await this.restore();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  async sharedSecret(candidate: string, adopted: (secret: string) => void): Promise<string> {
    await this.connect();
    this.secret = String(await this.run(SECRET, { candidate }));
    this.secretAdopted = adopted;
    return this.secret;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.client.status === 'ready') {
        const [changes, occupancy] = splitOccupancy(await this.run(LEAVE, { node: this.nodeId, ...this.withdrawArgs() }));
        this.reportOccupancy(occupancy, 'disconnect');
        await this.announceWithdrawn(changes as string[], 'disconnect');
      }
    } catch {
      // The others will take the share back when the heartbeat lapses.
    }
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  online(clientId: string, delta: 1 | -1): void {
    this.change(ONLINE, { node: this.nodeId, clientId, delta });
  }

  page(page: string, who: LedgerMember, delta: 1 | -1, held: boolean): void {
    this.change(PAGE, { node: this.nodeId, clientId: who.clientId, userKey: who.userKey, page, delta, held, activity: who.activity, historyPages: this.historyPages }, (result) => {
      if (Array.isArray(result)) this.reportOccupancy(splitOccupancy(result)[1], 'leave');
    });
  }

  hold(kind: 'p' | 'r', key: string, who: LedgerMember, delta: 1 | -1): void {
    this.change(HOLD, { node: this.nodeId, kind, clientId: who.clientId, userKey: who.userKey, key, delta, activity: who.activity });
  }

  activity(who: LedgerMember, from: ActivityState, pages: readonly string[], rooms: readonly string[], origin: string): void {
    this.change(
      ACTIVITY,
      { node: this.nodeId, clientId: who.clientId, userKey: who.userKey, from, activity: who.activity, pages: pages.length },
      (result) => {
        const [, ...records] = result as string[];
        for (let i = 0; i + MEMBER_FIELDS < records.length; i += MEMBER_FIELDS + 1) {
          this.listener?.roomUpdated(records[i], toMember(records.slice(i + 1, i + 1 + MEMBER_FIELDS)), origin);
        }
      },
      [...pages, ...rooms],
    );
  }

  room(room: string, who: LedgerMember, delta: 1 | 0 | -1, change: RoomChange): void {
    const input = change.input ?? {};
    const name = who.tokenName ?? input.name;
    const meta = input.meta === undefined ? undefined : JSON.stringify(input.meta);
    this.change(
      ROOM,
      {
        node: this.nodeId,
        room,
        clientId: who.clientId,
        userKey: who.userKey,
        userId: who.userId,
        delta,
        held: change.held ?? false,
        name: name ?? DEFAULT_NAME,
        status: input.status ?? DEFAULT_STATUS,
        meta: meta ?? '{}',
        setName: name,
        setStatus: input.status,
        setMeta: meta,
        now: change.now,
        at: change.at ?? change.now,
        recentMs: this.recentMs,
        rosterMax: this.rosterMax,
        activity: who.activity,
        replaced: change.replaced,
      },
      (result) => {
        const [answer, occupancy] = splitOccupancy(result);
        this.reportOccupancy(occupancy, change.reason ?? 'leave');
        const [outcome, ...fields] = answer as string[];
        if (outcome === LEFT) return this.listener?.roomLeft(room, fields[0], change.reason ?? 'leave', Number(fields[1]), change.origin);
        if (outcome === SYNC) return this.announceSync(room);
        // A leave that changed the activity of a member who stays may have no origin (a grace expiry).
        if (outcome === UPDATED) return this.listener?.roomUpdated(room, toMember(fields), change.origin);
        if (outcome === JOINED && change.origin) this.listener?.roomJoined(room, toMember(fields), change.origin);
      },
    );
  }

  typing(room: string, who: LedgerMember, delta: 1 | -1, origin: string): void {
    this.change(TYPING, { node: this.nodeId, room, userKey: who.userKey, delta }, (outcome) => {
      if (outcome === STARTED || outcome === STOPPED) this.listener?.roomTyping(room, who.userId, outcome === STARTED, origin);
    });
  }

  switchUser(room: string, from: LedgerMember, to: LedgerMember, change: UserSwitch): void {
    this.change(
      SWITCH_USER,
      {
        node: this.nodeId,
        room,
        fromKey: from.userKey,
        toKey: to.userKey,
        userId: to.userId,
        name: change.name,
        setName: to.tokenName ?? undefined,
        now: change.now,
        recentMs: this.recentMs,
        rosterMax: this.rosterMax,
        activity: to.activity,
      },
      (result) => {
        const [answer, occupancy] = splitOccupancy(result);
        // A replacement reports none: nobody arrived or left.
        this.reportOccupancy(occupancy, 'leave');
        const [outcome, ...fields] = answer as string[];
        if (outcome === SYNC) return this.announceSync(room);
        if (outcome === REPLACED) return this.listener?.roomUpdated(room, toMember(fields.slice(1)), change.origin, fields[0]);
        if (outcome !== MOVED) return;
        const [left, duration, joined, ...members] = fields;
        const member = members.slice(0, MEMBER_FIELDS);
        // The old member, when it stays with another activity: told before the new one, as the core does.
        const stayed = members.slice(MEMBER_FIELDS);
        if (left !== '') this.listener?.roomLeft(room, left, 'leave', Number(duration), change.origin);
        else if (stayed.length > 0) this.listener?.roomUpdated(room, toMember(stayed), change.origin);
        if (joined === JOINED) this.listener?.roomJoined(room, toMember(member), change.origin);
        else if (joined === UPDATED) this.listener?.roomUpdated(room, toMember(member), change.origin);
      },
    );
  }

  /** A room's members, earliest first (the order rosters list them in). */
  async members(room: string): Promise<Member[]> {
    return (await this.roster(room, 0)).members;
  }

  async roster(room: string, max: number, selfKeys: readonly string[] = []): Promise<ClusterRoster> {
    this.assertReady();
    const flat = (await this.run(ROSTER, { room, limit: max }, selfKeys)) as (number | string)[];
    const [total, listed, large, typists] = flat as [number, number, number, number];
    const asked = 4 + selfKeys.length;
    const at = flat.slice(4, asked) as number[];
    const typing = flat.slice(asked, asked + typists).map(String);
    const members: Member[] = [];
    for (let i = asked + typists; i < flat.length; i += MEMBER_FIELDS) members.push(toMember(flat.slice(i, i + MEMBER_FIELDS) as string[]));
    return { members: members.slice(0, listed), total, large: large === 1, typing, selves: at.map((i) => (i >= 0 ? members[i] : null)) };
  }

  async recent(room: string): Promise<RecentLeaver[]> {
    this.assertReady();
    const flat = (await this.run(RECENT, { room, now: Date.now(), recentMs: this.recentMs })) as string[];
    const recent: RecentLeaver[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      recent.push({ userId: flat[i], name: flat[i + 1], leftAt: Number(flat[i + 2]), duration: Number(flat[i + 3]) });
    }
    return recent;
  }

  async history(page: string): Promise<HistoryPoint[]> {
    this.assertReady();
    const [now, ...fields] = (await this.run(HISTORY, { page })) as [number, ...string[]];
    return historyFromHash(fields, now);
  }

  async pollVote(poll: string, option: string, limits: { maxOptions: number }): Promise<ClusterVote> {
    this.assertReady();
    const [outcome, ...pairs] = (await this.run(POLL_VOTE, { poll, option, ...limits })) as string[];
    if (outcome !== OK) return { refused: outcome === OPTIONS ? 'options' : 'undeclared' };
    return { tallies: talliesOf(poll, pairs) };
  }

  async pollDeclare(poll: string, maxPolls: number): Promise<'created' | 'exists' | 'refused'> {
    this.assertReady();
    const outcome = (await this.run(POLL_DECLARE, { poll, maxPolls })) as string;
    return outcome === OK ? 'created' : outcome === EXISTS ? 'exists' : 'refused';
  }

  async pollDeclared(poll: string): Promise<boolean> {
    this.assertReady();
    return (await this.client.sismember(`${this.prefix}polls`, poll)) === 1;
  }

  async pollClose(poll: string): Promise<PollTallies | null> {
    this.assertReady();
    const [outcome, ...pairs] = (await this.run(POLL_CLOSE, { poll })) as string[];
    return outcome === OK ? talliesOf(poll, pairs) : null;
  }

  async pollTallies(poll: string): Promise<PollTallies> {
    this.assertReady();
    return talliesOf(poll, (await this.client.call('HGETALL', `${this.prefix}poll:${poll}`)) as string[]);
  }

  async roomTotal(room: string): Promise<number> {
    this.assertReady();
    return this.client.hlen(`${this.prefix}r:${room}:c`);
  }

  async settled(): Promise<void> {
    await this.last.catch(() => undefined);
  }

  async pageCounts(pages: readonly string[]): Promise<PageCounts[]> {
    this.assertReady();
    const flat = (await this.run(COUNTS, {}, pages)) as number[];
    return pages.map((page, i) => ({ page, viewers: flat[3 * i], connections: flat[3 * i + 1], active: flat[3 * i + 2] }));
  }

  async stats(): Promise<Stats> {
    this.assertReady();
    const flat = (await this.run(STATS, { places: TOP_PAGES })) as (string | number)[];
    const top: { page: string; viewers: number }[] = [];
    for (let i = 2; i < flat.length; i += 2) top.push({ page: String(flat[i]), viewers: Number(flat[i + 1]) });
    top.sort((a, b) => b.viewers - a.viewers || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0));
    return { online: { connections: Number(flat[0]), visitors: Number(flat[1]) }, top: top.slice(0, TOP_PAGES) };
  }

  /** The client's first connection (it reconnects by itself after that). */
  private connect(): Promise<void> {
    this.connecting ??= this.client.connect();
    return this.connecting;
  }

  /**
   * Stores this process's anonymous-id secret again unless one is stored
   * (Redis restarted empty), and adopts the stored one if it differs.
   * Answers at once; the script is sent in order on the client's connection.
   */
  private keepSecret(): void {
    if (this.secret === null) return;
    this.run(SECRET, { candidate: this.secret }).then(
      (stored) => {
        if (this.secret === null || stored === this.secret) return;
        this.log('warn', 'another anonymous-id secret was stored meanwhile: adopted, anonymous ids change for new connections');
        this.secret = String(stored);
        this.secretAdopted(this.secret);
      },
      (error: unknown) => this.log('warn', 'anonymous-id secret not stored again', { error: String(error) }),
    );
  }

  private assertReady(): void {
    if (!this.ready) throw new Error('the presence store is not ready');
  }

  private get channel(): string {
    return `${this.prefix}${CHANNEL}`;
  }

  /** One script call. */
  private run<A extends ArgSpec>(script: LuaScript<A>, args: ScriptArgs<A>, tail?: readonly (string | number)[]): Promise<unknown> {
    return this.scripts[script.name](...script.argv(this.prefix, args, tail));
  }

  /**
   * One contribution change, tracked for {@link settled}; a REBUILD answer
   * (this process holds no share) starts the rebuild, any other goes to
   * `then`.
   */
  private change<A extends ArgSpec>(script: LuaScript<A>, args: ScriptArgs<A>, then?: (result: unknown) => unknown, tail?: readonly string[]): void {
    // Until the share is rebuilt, changes are not applied: the rebuild reads them from the registry.
    if (!this.ready) return;
    this.track(
      this.run(script, args, tail).then((result) => {
        if (result === REBUILD) return void this.restore();
        return then?.(result);
      }),
    );
  }

  /** Remembers the latest command, for {@link settled}; its failure is the rebuild's business. */
  private track(command: Promise<unknown>): void {
    this.last = command.catch((error: unknown) => this.log('warn', 'presence change not applied', { error: String(error) }));
  }

  /** A message of the channel: its kind, then its subject (`contract.ts`). */
  private onMessage(message: string): void {
    const subject = message.slice(1);
    switch (message[0]) {
      case MSG_STATS:
        return this.listener?.changed(null);
      case MSG_PAGE:
        return this.listener?.changed(subject);
      case MSG_ROOM_COUNT:
        return this.listener?.roomChanged(subject);
      case MSG_POLL:
        return this.listener?.pollChanged(subject);
      case MSG_POLL_CLOSED:
        return this.listener?.pollClosed(subject);
      case MSG_TAKEN_OVER:
        return this.onTakenOver(subject);
      case MSG_REBUILT:
        // Its changes were published while this subscription may have been down, and not key by key.
        if (subject !== this.nodeId) this.resync();
        return;
    }
  }

  /** `<node>|<kind><state>|<clientId>|<len>|<userKey><key>`: a held contribution of `<node>` was taken over. */
  private onTakenOver(subject: string): void {
    const parts = /^([^|]+)\|([^|])([aih])\|([^|]+)\|(\d+)\|/s.exec(subject);
    if (!parts || parts[1] !== this.nodeId) return;
    const kind = parts[2];
    if (kind !== SHARE_PAGE && kind !== SHARE_ROOM) return;
    const rest = subject.slice(parts[0].length);
    const length = Number(parts[5]);
    this.listener?.takenOver(kind, rest.slice(length), parts[4], rest.slice(0, length), activityOf(parts[3]));
  }

  /**
   * Tells the listener to read every figure it follows again. A listener's
   * failure is logged: it must not undo a rebuild nor break the subscription.
   */
  private resync(): void {
    try {
      this.listener?.resynced();
    } catch (error) {
      this.log('error', 'cluster listener failed to resync', { error: String(error) });
    }
  }

  /**
   * The subscriber is connected again: what was published while it was down
   * is lost. ioredis renews the subscription on its own; subscribing once more
   * resolves after that renewal (same connection, in order), so figures read
   * from then on miss no later message.
   */
  private async resubscribed(): Promise<void> {
    if (!this.subscribed || this.stopped) return;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch {
      // The link dropped again: its next ready comes back here.
      return;
    }
    this.resync();
  }

  /**
   * What a withdraw changed, record by record: STOPPED, room, userId, 0 for
   * a member that stopped typing; LEFT, room, userId, duration for a member
   * that left; SYNC, room, '', 0 for a large room that switched back, whose
   * snapshot is read and passed on; UPDATED, room, member for a member that
   * stays with another activity. Resolves once the snapshots are.
   */
  private announceWithdrawn(records: string[], reason: LeaveReason): Promise<void> {
    const syncs: Promise<void>[] = [];
    for (let i = 0; i < records.length; ) {
      const kind = records[i];
      if (kind === UPDATED) {
        this.listener?.roomUpdated(records[i + 1], toMember(records.slice(i + 2, i + 2 + MEMBER_FIELDS)), null);
        i += 2 + MEMBER_FIELDS;
        continue;
      }
      const [room, userId, n] = records.slice(i + 1, i + 4);
      if (kind === STOPPED) this.listener?.roomTyping(room, userId, false, null);
      else if (kind === LEFT) this.listener?.roomLeft(room, userId, reason, Number(n), null);
      else if (kind === SYNC) syncs.push(this.announceSync(room));
      else break;
      i += 4;
    }
    return Promise.all(syncs).then(() => undefined);
  }

  /** A large room switched back through a change made here: its members and who types, for every process's sockets. */
  private async announceSync(room: string): Promise<void> {
    try {
      const { members, total, typing } = await this.roster(room, 0);
      this.listener?.roomSync({ room, members, total, typing } satisfies RoomSyncEvent);
    } catch (error) {
      this.log('warn', 'room snapshot not sent', { room, error: String(error) });
    }
  }

  /** What the withdrawing scripts need: the room rules, and now as the moment the withdrawn members left. */
  private withdrawArgs(): { rosterMax: number; now: number; recentMs: number; historyPages: number } {
    return { rosterMax: this.rosterMax, now: Date.now(), recentMs: this.recentMs, historyPages: this.historyPages };
  }

  /** Rebuilds this process's share from the registry; one at a time. */
  private restore(): Promise<void> {
    if (this.stopped || this.client.status !== 'ready') return Promise.resolve();
    this.restoring ??= this.rebuild().finally(() => (this.restoring = null));
    return this.restoring;
  }

  /**
   * Rebuilds the share, then has every followed figure read again: the
   * rebuild's own changes, and the others' made while this process was cut
   * off, were not all told key by key.
   */
  private async rebuild(): Promise<void> {
    this.restored = false;
    const contributions = this.contributions();
    let left: string[];
    let occupancy: unknown[];
    // A Redis that restarted empty lost the shared secret too: the processes store theirs again.
    this.keepSecret();
    try {
      // Sent before any later change, on the same connection: nothing reported after the snapshot is lost.
      const done = this.run(
        RESTORE,
        { node: this.nodeId, ttlMs: this.ttlMs, epoch: randomUUID(), known: this.epoch, ...this.withdrawArgs() },
        shareEntries(contributions),
      );
      this.restored = true;
      this.last = done.catch(() => undefined);
      const [answer, occupied] = splitOccupancy(await done);
      const [epoch, ...gone] = answer as string[];
      this.epoch = epoch;
      left = gone;
      occupancy = occupied;
    } catch (error) {
      this.restored = false;
      this.log('warn', 'presence share not restored', { error: String(error) });
      return;
    }
    this.reportOccupancy(occupancy, 'disconnect');
    await this.announceWithdrawn(left, 'disconnect');
    this.log('info', 'presence share restored', { node: this.nodeId, clients: contributions.online.length, pageEntries: contributions.pages.length });
    this.resync();
  }

  private async tick(): Promise<void> {
    if (this.client.status !== 'ready') return;
    try {
      const alive = await this.run(HEARTBEAT, { node: this.nodeId, ttlMs: this.ttlMs });
      if (alive === REBUILD || !this.restored) await this.restore();
      const nodes = await this.client.smembers(`${this.prefix}nodes`);
      for (const node of nodes) {
        if (node === this.nodeId) continue;
        if ((await this.client.exists(`${this.prefix}alive:${node}`)) === 0) {
          const [answer, occupancy] = splitOccupancy(await this.run(REAP, { node, ...this.withdrawArgs() }));
          const [reaped, ...changes] = answer as string[];
          if (reaped !== OK) continue;
          this.log('warn', 'process down: its presence was withdrawn', { node, membersLeft: countLeft(changes) });
          this.reportOccupancy(occupancy, 'node-down');
          await this.announceWithdrawn(changes, 'node-down');
        }
      }
    } catch (error) {
      this.log('warn', 'heartbeat failed', { error: String(error) });
    }
  }

  /**
   * Tells the listener the changes of who is present a script of this
   * process decided (its answer's occupancy, `contract.ts`); a member's
   * departure with `reason` and the duration the script counted (as its
   * `room:left` carries it: to the last moment one of its connections was there).
   */
  private reportOccupancy(occupancy: unknown[], reason: LeaveReason): void {
    const listener = this.listener;
    if (!listener) return;
    for (let i = 0; i < occupancy.length; ) {
      const kind = occupancy[i];
      const key = String(occupancy[i + 1]);
      if (kind === MEMBER_JOINED) {
        listener.memberJoined(key, toMember(occupancy.slice(i + 2, i + 2 + MEMBER_FIELDS) as string[]));
        i += 2 + MEMBER_FIELDS;
      } else if (kind === MEMBER_LEFT) {
        listener.memberLeft(key, { userId: String(occupancy[i + 2]), reason, duration: Number(occupancy[i + 3]) });
        i += 4;
      } else {
        if (kind === PAGE_OCCUPIED) listener.pageOccupied(key);
        else if (kind === PAGE_VACATED) listener.pageVacated(key);
        else if (kind === ROOM_OCCUPIED) listener.roomOccupied(key);
        else if (kind === ROOM_VACATED) listener.roomVacated(key);
        else return this.log('error', 'unknown occupancy change: the rest is not reported', { kind: String(kind) });
        i += 2;
      }
    }
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, msg, details);
  }
}

/** A poll's tallies from option, votes pairs. */
function talliesOf(poll: string, pairs: string[]): PollTallies {
  const tallies: Record<string, number> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) tallies[pairs[i]] = Number(pairs[i + 1]);
  return { poll, tallies };
}

/** A member from the scripts' fields: userId, name, status, meta (JSON), since, connections, activity. */
function toMember([userId, name, status, meta, since, connections, activity]: string[]): Member {
  return {
    userId,
    name,
    status,
    meta: JSON.parse(meta) as Member['meta'],
    connections: Number(connections),
    since: Number(since),
    activity: activityOf(activity),
  };
}

/** How many fields the scripts answer a member with. */
const MEMBER_FIELDS = 7;

/** How many members left by a withdraw's records (see `announceWithdrawn`). */
function countLeft(records: string[]): number {
  let left = 0;
  for (let i = 0; i < records.length; i += records[i] === UPDATED ? 2 + MEMBER_FIELDS : 4) if (records[i] === LEFT) left++;
  return left;
}

/** An activity as the scripts tell it: its name, or its first letter. */
function activityOf(text: string): ActivityState {
  return ACTIVITY_STATES.find((state) => state === text || state[0] === text) ?? 'active';
}

/** A script's answer without its last element, the occupancy (`contract.ts`), and that occupancy (empty when it has none). */
function splitOccupancy(answer: unknown): [unknown[], unknown[]] {
  const all = Array.isArray(answer) ? answer : [answer];
  const last = all[all.length - 1];
  return Array.isArray(last) ? [all.slice(0, -1), last] : [all, []];
}

import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Events, type Ack, type ActivityAck, type ActivityState, type PageCounts, type PollTallies, type Stats } from '@presently/protocol';
import { samePageCounts, sameStats, userKeyOf, type Followed, type Result, type TimerHandle } from '@presently/presence-core';
import { askerOf, Figures, type CaughtUp, type Roster } from '../figures/figures';
import { digestFor, listDigest, type RoomView } from '../figures/room-view';
import { PresenceMetrics } from '../hooks/presence-metrics';
import { PollService } from '../polls/poll.service';
import { PRESENCE_OPTIONS, type PresenceModuleOptions } from '../presence.options';
import { PresenceRegistry } from '../presence-registry';
import { channelKind, hiddenRoomChannel, pollChannel, roomChannel, roomChannels } from './channels';
import { EventRouter } from './event-router';
import { handleEvent, then } from './handle-event';
import type { PresenceSocket } from './presence-socket';
import { WatchRates } from './watch-rates';

/** What a room's socket holds of it: a small room's list by its digest, or a large room's total (undefined: none was sent). */
type HeldRoom = { large: false; digest: string } | { large: true; total: number | undefined };

/**
 * What a socket out of the announcement channels holds of what it follows,
 * as it was last sent or answered: compared with the figures when it
 * listens again. Undefined: not known (it is sent the figure).
 */
interface Held {
  pages: Map<string, PageCounts | undefined>;
  rooms: Map<string, HeldRoom>;
  stats: Stats | undefined;
  /** Each watched poll's tallies, as a count of votes. */
  polls: Map<string, number | undefined>;
  /** Resolves once every room's view is read (with Redis, a read). */
  ready: Promise<void> | null;
}

/** One socket that went hidden at least once. */
interface Passive {
  /** What it holds while it is out of the announcement channels; null while it is in them. */
  held: Held | null;
  /** Clock time of its last catch-up; none is sent within `COUNT_INTERVAL_MS` of it. */
  lastCatchUp: number;
  /** The catch-up deferred to the end of that interval. */
  timer: TimerHandle | null;
  /** What a catch-up on its way was comparing with: what the socket still holds should it go hidden before it arrives. */
  catching: Held | null;
  /**
   * Moves each time it reports `hidden`, so that a catch-up read before is
   * dropped (what it holds then is what that catch-up compared with:
   * `catching`); another `active` or `idle` meanwhile leaves it owed.
   */
  turn: number;
}

/**
 * Passive sockets (protocol 1.1, "Activity"): a socket whose client reports
 * `hidden` receives no announcement (`page:count`, `room:count`,
 * `room:joined`, `room:left`, `room:updated`, `room:typing`, `stats`,
 * `poll:tally`), at no cost per change: it leaves every announcement channel
 * (each room's for the room's hidden channel, which server-side emits to
 * the room still reach), so that a broadcast never visits it.
 *
 * As it goes hidden, what it holds of each figure it follows is kept (the
 * values last sent or answered to it: a small room's list as a digest);
 * what it is answered while hidden replaces them. When it reports `active`
 * or `idle` again it rejoins its channels and is sent, before its ack, the
 * figures that differ from those: a `page:count` per page, a `room:sync`
 * per small room, a `room:count` per large room, `stats`, a `poll:tally`
 * per watched poll; they become what it holds. At most one catch-up per
 * `COUNT_INTERVAL_MS`: a faster return is acked at once and the socket
 * stays out of its channels until the catch-up at the end of the interval.
 */
@Injectable()
export class PassiveSockets implements OnModuleDestroy {
  private readonly logger = new Logger('PassiveSockets');
  private readonly sockets = new Map<string, Passive>();
  private readonly intervalMs: number;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly figures: Figures,
    private readonly polls: PollService,
    private readonly metrics: PresenceMetrics,
    private readonly rates: WatchRates,
    router: EventRouter,
    @Inject(PRESENCE_OPTIONS) options: PresenceModuleOptions,
  ) {
    this.intervalMs = options.countIntervalMs;
    router.on(Events.PresenceActivity, (socket, data) =>
      handleEvent(this.logger, socket, Events.PresenceActivity, data, ({ state }) => then(this.report(socket, state), (answer) => this.applied(answer))),
    );
  }

  /**
   * An activity change is acked once it is made everywhere (in a cluster,
   * once Redis has it): a change made after the ack, through any process,
   * comes after it.
   */
  private applied(answer: Ack): Ack | Promise<Ack> {
    return answer.ok ? then(this.figures.settled(), () => answer) : answer;
  }

  /**
   * Joins `channels` (a hidden socket only the hidden channels of rooms
   * among them: it is in no announcement channel, and the page's or the rate
   * class's is joined when it listens again, see `WatchRates`).
   */
  join(socket: PresenceSocket, channels: string[]): void {
    if (!this.sockets.get(socket.id)?.held) {
      socket.join(channels);
      return;
    }
    for (const channel of channels) if (channelKind(channel) === 'room') socket.join(hiddenRoomChannel(channel.slice(roomChannel('').length)));
  }

  /** Leaves `channel` (and a room's hidden channel with its channel). */
  leave(socket: PresenceSocket, channel: string): void {
    if (channelKind(channel) !== 'room') {
      socket.leave(channel);
      return;
    }
    for (const member of roomChannels(channel.slice(roomChannel('').length))) socket.leave(member);
  }

  /** A socket out of its channels was answered page counts: it holds them. */
  answeredCounts(socket: PresenceSocket, counts: PageCounts[]): void {
    const held = this.sockets.get(socket.id)?.held;
    if (held) for (const c of counts) held.pages.set(c.page, c);
  }

  /** A socket out of its channels was answered a room's roster (its join ack): it holds it. */
  answeredRoster(socket: PresenceSocket, room: string, roster: Roster): void {
    const held = this.sockets.get(socket.id)?.held;
    if (!held) return;
    const self = roster.self ?? this.registry.presence.member(room, userKeyOf(socket.data));
    held.rooms.set(room, roster.large ? { large: true, total: roster.total } : { large: false, digest: digestFor(listDigest(roster.members), self, roster.typing) });
  }

  /** A socket out of its channels was answered the stats: it holds them. */
  answeredStats(socket: PresenceSocket, stats: Stats): void {
    const held = this.sockets.get(socket.id)?.held;
    if (held) held.stats = stats;
  }

  /** A socket out of its channels was answered a poll's tallies: it holds them. */
  answeredTallies(socket: PresenceSocket, tallies: PollTallies): void {
    const held = this.sockets.get(socket.id)?.held;
    if (held) held.polls.set(tallies.poll, this.polls.votes(tallies));
  }

  /** The socket went away. */
  forget(id: string): void {
    const passive = this.sockets.get(id);
    if (passive?.timer) this.registry.clock.clearTimer(passive.timer);
    this.sockets.delete(id);
  }

  onModuleDestroy(): void {
    for (const id of [...this.sockets.keys()]) this.forget(id);
  }

  /** `presence:activity`: the socket's new state, and what going hidden or listening again means for it. */
  private report(socket: PresenceSocket, state: ActivityState): Ack | Promise<Ack> {
    const presence = this.registry.presence;
    const passive = this.sockets.get(socket.id);
    if (state !== 'hidden') {
      const result = presence.setActivity(socket.id, state);
      if (!result.ok || !passive?.held) return ack(result);
      return then(this.listenAgain(socket, passive), () => ack(result));
    }
    if (passive) passive.turn++;
    if (passive?.timer) {
      // Out of its channels still: what it held stays what it holds.
      this.registry.clock.clearTimer(passive.timer);
      passive.timer = null;
    }
    if (passive?.held) return ack(presence.setActivity(socket.id, state));
    const followed = presence.followed(socket.id);
    if (!followed) return ack(presence.setActivity(socket.id, state));
    // What it holds is read before it is owed nothing; it leaves its channels before anything else is announced.
    const held = this.heldBy(socket, followed, passive?.catching ?? null);
    const entry = passive ?? { held: null, lastCatchUp: -Infinity, timer: null, catching: null, turn: 0 };
    this.stopListening(socket);
    const rated = this.rates.stopListening(socket);
    if (!entry.catching) {
      // What it hears at a rate is what its class sent it, not the page's (or the stats') last figure.
      for (const [page, counts] of rated.pages) held.pages.set(page, counts);
      if (rated.stats) held.stats = rated.stats.held;
    }
    entry.held = held;
    entry.catching = null;
    this.sockets.set(socket.id, entry);
    const result = presence.setActivity(socket.id, state);
    return then(held.ready, () => ack(result));
  }

  /**
   * What a socket that goes hidden holds of what it follows. A catch-up
   * still on its way (`catching`) has not reached it: it holds what that
   * compared with, and what it heard since (sending those again is never
   * wrong, missing one would be).
   */
  private heldBy(socket: PresenceSocket, followed: Followed, catching: Held | null): Held {
    const last = this.figures.heldBy(socket.id, followed);
    const polls = this.polls.heldBy(socket.id);
    if (catching) return { ...catching, polls: new Map([...polls].map(([poll]) => [poll, catching.polls.get(poll)])) };
    const asker = askerOf(socket);
    const held: Held = {
      pages: new Map(followed.pages.map((page, i) => [page, last.pages[i]])),
      rooms: new Map(),
      stats: last.stats,
      polls,
      ready: null,
    };
    const totals = new Map(last.totals.map(({ room, total }) => [room, total]));
    const reads: Promise<void>[] = [];
    for (const room of followed.rooms) {
      const noted = (view: RoomView) => {
        // A join answered meanwhile is newer.
        if (!held.rooms.has(room)) held.rooms.set(room, view.large ? { large: true, total: totals.get(room) } : { large: false, digest: view.digest });
      };
      const view = this.figures.roomView(room, asker);
      if (view instanceof Promise) reads.push(view.then(noted, (error: unknown) => this.logger.warn({ msg: 'room not read for a hidden socket', room, error: String(error) })));
      else noted(view);
    }
    if (reads.length > 0) held.ready = Promise.all(reads).then(() => undefined);
    return held;
  }

  /** The socket leaves every announcement channel; in each room it keeps the room's hidden channel. */
  private stopListening(socket: PresenceSocket): void {
    for (const channel of [...socket.rooms]) {
      const kind = channelKind(channel);
      if (kind === 'kept') continue;
      socket.leave(channel);
      if (kind === 'room') socket.join(hiddenRoomChannel(channel.slice(roomChannel('').length)));
    }
  }

  /** The socket reported `active` or `idle` while out of its channels: caught up now, or at the end of the interval. */
  private listenAgain(socket: PresenceSocket, passive: Passive): void | Promise<void> {
    const due = passive.lastCatchUp + this.intervalMs;
    const now = this.registry.clock.now();
    if (now >= due) return this.catchUp(socket, passive);
    passive.timer ??= this.registry.clock.setTimer(due - now, () => {
      passive.timer = null;
      if (socket.connected && this.sockets.get(socket.id) === passive) void this.catchUp(socket, passive);
    });
  }

  /** Rejoins the socket's channels and sends it, before anything else, the figures that differ from what it holds. */
  private catchUp(socket: PresenceSocket, passive: Passive): void | Promise<void> {
    const held = passive.held;
    const followed = this.registry.presence.followed(socket.id);
    if (!held || !followed) return;
    passive.held = null;
    passive.catching = held;
    passive.lastCatchUp = this.registry.clock.now();
    const turn = passive.turn;
    // Rejoined first (a page or the stats at a rate: its class's channel): what is announced from now on reaches it, and what it is sent below is read after that.
    for (const room of followed.rooms) socket.leave(hiddenRoomChannel(room));
    const watched = this.polls.watchedBy(socket.id);
    this.rates.listening(socket);
    socket.join([...this.rates.channels(socket, followed.pages, followed.stats), ...followed.rooms.map(roomChannel), ...watched.map(pollChannel)]);
    const current = then(held.ready, () => this.figures.caughtUp(askerOf(socket), followed));
    const tallies = this.polls.caughtUp(socket.id);
    const send = ([figures, polls]: [CaughtUp, PollTallies[]]) => {
      if (passive.turn !== turn || !socket.connected) return;
      passive.catching = null;
      this.send(socket, held, figures, polls);
      // It holds the figures now, sent or not: its rate classes owe it the next ones if they differ.
      this.rates.pagesAcked(socket, figures.pages);
      if (figures.stats) this.rates.statsAcked(socket, figures.stats);
    };
    const fail = (error: unknown) => this.logger.warn({ msg: 'catch-up not sent', socket: socket.id, error: String(error) });
    if (current instanceof Promise || tallies instanceof Promise) return Promise.all([current, tallies]).then(send, fail);
    send([current, tallies]);
  }

  /**
   * The catch-up itself: each figure that differs from what the socket holds
   * (or heard since it rejoined its channels; what is heard at a page's own
   * rate does not reach a socket that hears it at a slower one). Sent
   * whatever a rate class's window: it is the socket's own answer, like an
   * ack.
   */
  private send(socket: PresenceSocket, held: Held, figures: CaughtUp, polls: PollTallies[]): void {
    const heard = figures.heard;
    for (const counts of figures.pages) {
      const was = (this.rates.atRate(socket, counts.page) ? undefined : heard?.pages.get(counts.page)) ?? held.pages.get(counts.page);
      if (!was || !samePageCounts(was, counts)) this.emit(socket, Events.PageCount, counts);
    }
    for (const view of figures.rooms) {
      const was = held.rooms.get(view.room);
      if (view.large) {
        const total = heard?.totals.get(view.room) ?? (was?.large ? was.total : undefined);
        if (total !== view.total) this.emit(socket, Events.RoomCount, { room: view.room, total: view.total });
      } else if (was?.large !== false || was.digest !== view.digest) {
        this.emit(socket, Events.RoomSync, { room: view.room, members: view.members, total: view.total, typing: view.typing });
      }
    }
    const stats = (this.rates.statsAtRate(socket) ? undefined : heard?.stats) ?? held.stats;
    if (figures.stats && !(stats && sameStats(stats, figures.stats))) this.emit(socket, Events.Stats, figures.stats);
    for (const tallies of polls) {
      if (held.polls.get(tallies.poll) !== this.polls.votes(tallies)) this.emit(socket, Events.PollTally, tallies);
    }
  }

  private emit(socket: PresenceSocket, event: CatchUpEvent, payload: unknown): void {
    (socket.emit as (event: string, payload: unknown) => boolean)(event, payload);
    this.metrics.sent(event);
  }
}

/** What a catch-up sends. */
type CatchUpEvent = typeof Events.PageCount | typeof Events.RoomCount | typeof Events.RoomSync | typeof Events.Stats | typeof Events.PollTally;

/** The ack of `presence:activity`. */
function ack(result: Result<{ state: ActivityState }>): ActivityAck {
  return result.ok ? { ok: true, state: result.state } : result;
}

import { Events, type LeaveReason, type Member, type PageCounts, type RoomSyncEvent, type Stats } from '@presently/protocol';
import type { PresenceSink } from '@presently/presence-core';
import { pageChannel, ratedPageChannel, ratedStatsChannel, roomChannel, STATS_CHANNEL } from '../socket/channels';
import type { PresenceNamespace } from '../socket/presence-socket';

export interface SocketIoSinkOptions {
  /**
   * Counts (`page:count`, `room:count`, `stats`) go to this process's own
   * sockets only: in a cluster every process announces them to its own.
   * Room events always go to every process's sockets.
   */
  countsToLocalSocketsOnly: boolean;
  /** A small room's member list was announced as changed (joined, updated, left, synced). */
  roomChanged?: (room: string) => void;
}

/** Delivers announcements to Socket.IO channels, one encoded broadcast each. */
export class SocketIoSink implements PresenceSink {
  private namespace: PresenceNamespace | null = null;

  constructor(private readonly options: SocketIoSinkOptions) {}

  attach(namespace: PresenceNamespace): void {
    this.namespace = namespace;
  }

  pageCount(counts: PageCounts): void {
    this.counts()?.to(pageChannel(counts.page)).emit(Events.PageCount, counts);
  }

  /** A page's counts to the sockets that watch it at the slower rate `every` (see `RatedDeliveries`). */
  pageCountAt(every: number, counts: PageCounts): void {
    this.counts()?.to(ratedPageChannel(counts.page, every)).emit(Events.PageCount, counts);
  }

  roomJoined(room: string, member: Member, except: string): void {
    this.namespace?.to(roomChannel(room)).except(except).emit(Events.RoomJoined, { room, member });
    this.options.roomChanged?.(room);
  }

  roomUpdated(room: string, member: Member, except: string | null, previousUserId?: string): void {
    const target = this.namespace?.to(roomChannel(room));
    (except ? target?.except(except) : target)?.emit(Events.RoomUpdated, { room, member, ...(previousUserId !== undefined && { previousUserId }) });
    this.options.roomChanged?.(room);
  }

  roomLeft(room: string, userId: string, reason: LeaveReason, duration: number, except: string | null): void {
    const target = this.namespace?.to(roomChannel(room));
    (except ? target?.except(except) : target)?.emit(Events.RoomLeft, { room, userId, reason, duration });
    this.options.roomChanged?.(room);
  }

  roomTyping(room: string, userId: string, typing: boolean, except: string | null): void {
    const target = this.namespace?.to(roomChannel(room));
    (except ? target?.except(except) : target)?.emit(Events.RoomTyping, { room, userId, typing });
  }

  roomCount(room: string, total: number): void {
    this.counts()?.to(roomChannel(room)).emit(Events.RoomCount, { room, total });
  }

  roomSync(sync: RoomSyncEvent): void {
    this.namespace?.to(roomChannel(sync.room)).emit(Events.RoomSync, sync);
    this.options.roomChanged?.(sync.room);
  }

  stats(stats: Stats): void {
    this.counts()?.to(STATS_CHANNEL).emit(Events.Stats, stats);
  }

  /** The stats to the sockets that watch them at the slower rate `every`. */
  statsAt(every: number, stats: Stats): void {
    this.counts()?.to(ratedStatsChannel(every)).emit(Events.Stats, stats);
  }

  private counts() {
    return this.options.countsToLocalSocketsOnly ? this.namespace?.local : this.namespace;
  }
}

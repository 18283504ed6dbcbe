import { Events, type LeaveReason, type Member, type PageCounts, type Stats } from '@presently/protocol';
import type { PresenceSink } from '@presently/presence-core';
import { pageChannel, roomChannel, STATS_CHANNEL } from './channels';
import type { PresenceNamespace } from './presence-socket';

/** Delivers the core's announcements to Socket.IO channels, one encoded broadcast each. */
export class SocketIoSink implements PresenceSink {
  private namespace: PresenceNamespace | null = null;

  attach(namespace: PresenceNamespace): void {
    this.namespace = namespace;
  }

  pageCount(counts: PageCounts): void {
    this.namespace?.to(pageChannel(counts.page)).emit(Events.PageCount, counts);
  }

  roomJoined(room: string, member: Member, except: string): void {
    this.namespace?.to(roomChannel(room)).except(except).emit(Events.RoomJoined, { room, member });
  }

  roomUpdated(room: string, member: Member, except: string): void {
    this.namespace?.to(roomChannel(room)).except(except).emit(Events.RoomUpdated, { room, member });
  }

  roomLeft(room: string, userId: string, reason: LeaveReason, except: string | null): void {
    const target = this.namespace?.to(roomChannel(room));
    (except ? target?.except(except) : target)?.emit(Events.RoomLeft, { room, userId, reason });
  }

  roomCount(room: string, total: number): void {
    this.namespace?.to(roomChannel(room)).emit(Events.RoomCount, { room, total });
  }

  roomSync(room: string, members: Member[]): void {
    this.namespace?.to(roomChannel(room)).emit(Events.RoomSync, { room, members });
  }

  stats(stats: Stats): void {
    this.namespace?.to(STATS_CHANNEL).emit(Events.Stats, stats);
  }
}

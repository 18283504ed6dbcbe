import type { LeaveReason, Member, PageCounts, Stats } from '@presently/protocol';
import type { PresenceSink } from '@presently/presence-core';

/** Hands each of the core's announcements to several sinks, in order. */
export class FanOutSink implements PresenceSink {
  constructor(private readonly sinks: readonly PresenceSink[]) {}

  pageCount(counts: PageCounts): void {
    for (const sink of this.sinks) sink.pageCount(counts);
  }

  roomJoined(room: string, member: Member, except: string): void {
    for (const sink of this.sinks) sink.roomJoined(room, member, except);
  }

  roomUpdated(room: string, member: Member, except: string): void {
    for (const sink of this.sinks) sink.roomUpdated(room, member, except);
  }

  roomLeft(room: string, userId: string, reason: LeaveReason, except: string | null): void {
    for (const sink of this.sinks) sink.roomLeft(room, userId, reason, except);
  }

  stats(stats: Stats): void {
    for (const sink of this.sinks) sink.stats(stats);
  }

  roomCount(room: string, total: number): void {
    for (const sink of this.sinks) sink.roomCount(room, total);
  }

  roomSync(room: string, members: Member[]): void {
    for (const sink of this.sinks) sink.roomSync(room, members);
  }
}

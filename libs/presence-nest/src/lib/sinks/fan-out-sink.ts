import type { LeaveReason, Member, PageCounts, RoomSyncEvent, Stats } from '@presently/protocol';
import type { PageCountSink, PresenceSink, RoomSink, StatsSink, TypingSink } from '@presently/presence-core';

/** A sink of one concern or more: streams hear page counts only, the lifecycle no stats nor typing. */
export type AnySink = PageCountSink | StatsSink | RoomSink | TypingSink;

const hears = {
  pages: (sink: AnySink): sink is PageCountSink => 'pageCount' in sink,
  stats: (sink: AnySink): sink is StatsSink => 'stats' in sink,
  rooms: (sink: AnySink): sink is RoomSink => 'roomJoined' in sink,
  typing: (sink: AnySink): sink is TypingSink => 'roomTyping' in sink,
};

/** Hands each announcement to every sink of its concern, in the order given. */
export class FanOutSink implements PresenceSink {
  private readonly pages: readonly PageCountSink[];
  private readonly statsSinks: readonly StatsSink[];
  private readonly rooms: readonly RoomSink[];
  private readonly typing: readonly TypingSink[];

  constructor(sinks: readonly AnySink[]) {
    this.pages = sinks.filter(hears.pages);
    this.statsSinks = sinks.filter(hears.stats);
    this.rooms = sinks.filter(hears.rooms);
    this.typing = sinks.filter(hears.typing);
  }

  pageCount(counts: PageCounts): void {
    for (const sink of this.pages) sink.pageCount(counts);
  }

  stats(stats: Stats): void {
    for (const sink of this.statsSinks) sink.stats(stats);
  }

  roomJoined(room: string, member: Member, except: string): void {
    for (const sink of this.rooms) sink.roomJoined(room, member, except);
  }

  roomUpdated(room: string, member: Member, except: string | null, previousUserId?: string): void {
    for (const sink of this.rooms) sink.roomUpdated(room, member, except, previousUserId);
  }

  roomLeft(room: string, userId: string, reason: LeaveReason, duration: number, except: string | null): void {
    for (const sink of this.rooms) sink.roomLeft(room, userId, reason, duration, except);
  }

  roomTyping(room: string, userId: string, typing: boolean, except: string | null): void {
    for (const sink of this.typing) sink.roomTyping(room, userId, typing, except);
  }

  roomCount(room: string, total: number): void {
    for (const sink of this.rooms) sink.roomCount(room, total);
  }

  roomSync(sync: RoomSyncEvent): void {
    for (const sink of this.rooms) sink.roomSync(sync);
  }
}

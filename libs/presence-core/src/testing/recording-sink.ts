import type { LeaveReason, Member, PageCounts, RoomSyncEvent, Stats } from '@presently/protocol';
import type { PresenceSink } from '../lib/types';

export type Recorded =
  | { type: 'page:count'; counts: PageCounts }
  | { type: 'room:joined'; room: string; member: Member; except: string }
  | { type: 'room:updated'; room: string; member: Member; except: string | null; previousUserId?: string }
  | { type: 'room:left'; room: string; userId: string; reason: LeaveReason; duration: number; except: string | null }
  | { type: 'room:typing'; room: string; userId: string; typing: boolean; except: string | null }
  | { type: 'stats'; stats: Stats }
  | { type: 'room:count'; room: string; total: number }
  | ({ type: 'room:sync' } & RoomSyncEvent);

/** A sink that records what the core announced, for assertions. */
export class RecordingSink implements PresenceSink {
  events: Recorded[] = [];

  pageCount(counts: PageCounts): void {
    this.record({ type: 'page:count', counts });
  }
  roomJoined(room: string, member: Member, except: string): void {
    this.record({ type: 'room:joined', room, member, except });
  }
  roomUpdated(room: string, member: Member, except: string | null, previousUserId?: string): void {
    this.record({ type: 'room:updated', room, member, except, ...(previousUserId !== undefined && { previousUserId }) });
  }
  roomLeft(room: string, userId: string, reason: LeaveReason, duration: number, except: string | null): void {
    this.record({ type: 'room:left', room, userId, reason, duration, except });
  }
  roomTyping(room: string, userId: string, typing: boolean, except: string | null): void {
    this.record({ type: 'room:typing', room, userId, typing, except });
  }
  stats(stats: Stats): void {
    this.record({ type: 'stats', stats });
  }
  roomCount(room: string, total: number): void {
    this.record({ type: 'room:count', room, total });
  }
  roomSync(sync: RoomSyncEvent): void {
    this.record({ type: 'room:sync', ...sync });
  }

  /** Keeps one report; a subclass may add to it (the time it was made, say). */
  protected record(event: Recorded): void {
    this.events.push(event);
  }

  /** Returns what was recorded since the last call, and forgets it. */
  take(): Recorded[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  of<T extends Recorded['type']>(type: T): Array<Extract<Recorded, { type: T }>> {
    return this.events.filter((e): e is Extract<Recorded, { type: T }> => e.type === type);
  }
}

import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { LeaveReason, Member, PageCounts, RoomSyncEvent } from '@presently/protocol';
import type { Identity, PageCountSink, RoomSink } from '@presently/presence-core';
import { filter, type Observable, Subject } from 'rxjs';

/** What an application hears about presence, as it happens. */
export type PresenceLifecycleEvent =
  /** A socket was admitted (after `authorize`) and sent its `session`. */
  | { type: 'connected'; socketId: string; identity: Identity }
  /** A socket went away (as who it was then); its presence may be held for the grace period. */
  | { type: 'disconnected'; socketId: string; identity: Identity; reason: string }
  /** A connected socket signed in, out or renewed its token (`session:token`): who it was, who it is. */
  | { type: 'identityChanged'; socketId: string; previous: Identity; identity: Identity }
  /** A page's counts changed: coalesced exactly like `page:count`. */
  | ({ type: 'pageCount' } & PageCounts)
  /** A user's first connection joined a room. */
  | { type: 'roomJoined'; room: string; member: Member }
  /**
   * A user's last connection left a room (after the grace period for a
   * disconnect); `duration`: ms from its `since` to its leave (for a
   * disconnect, to the moment it disconnected).
   */
  | { type: 'roomLeft'; room: string; userId: string; reason: LeaveReason; duration: number }
  /**
   * A member's profile really changed. With `previousUserId`, the member of
   * that user is gone and replaced by `member` (a socket signed in or out):
   * neither a leave nor a join.
   */
  | { type: 'memberUpdated'; room: string; member: Member; previousUserId?: string }
  /**
   * A large room's member count changed (coalesced like `page:count`): above
   * `ROSTER_MAX` members, joins, leaves and profile changes are not reported
   * one by one.
   */
  | { type: 'roomCount'; room: string; total: number }
  /** A large room fell back below the line; `members` is its whole list, `typing` who types. */
  | ({ type: 'roomSync' } & RoomSyncEvent);

export type PresenceLifecycleType = PresenceLifecycleEvent['type'];

/**
 * The presence lifecycle as an RxJS stream, for an application's own
 * providers (analytics, gauges, webhooks, business rules). Events are
 * delivered synchronously, right after the change and in order; a handler
 * must not throw (RxJS reports a throwing subscriber as an unhandled error)
 * and should not call back into the registry before it returns (defer that).
 *
 * @example
 * constructor(events: PresenceLifecycle) {
 *   events.of('roomJoined').subscribe(({ room, member }) => audit.log(`${member.userId} joined ${room}`));
 * }
 */
@Injectable()
export class PresenceLifecycle implements PageCountSink, RoomSink, OnModuleDestroy {
  /** Events are built only while someone listens: announcements are a hot path. */
  private readonly subject = new Subject<PresenceLifecycleEvent>();
  /** Every lifecycle event; completes when the module shuts down. */
  readonly events$: Observable<PresenceLifecycleEvent> = this.subject.asObservable();

  /** The events of one type. */
  of<T extends PresenceLifecycleType>(type: T): Observable<Extract<PresenceLifecycleEvent, { type: T }>> {
    return this.events$.pipe(filter((event): event is Extract<PresenceLifecycleEvent, { type: T }> => event.type === type));
  }

  connected(socketId: string, identity: Identity): void {
    if (this.subject.observed) this.subject.next({ type: 'connected', socketId, identity });
  }

  disconnected(socketId: string, identity: Identity, reason: string): void {
    if (this.subject.observed) this.subject.next({ type: 'disconnected', socketId, identity, reason });
  }

  identityChanged(socketId: string, previous: Identity, identity: Identity): void {
    if (this.subject.observed) this.subject.next({ type: 'identityChanged', socketId, previous, identity });
  }

  pageCount(counts: PageCounts): void {
    if (this.subject.observed) this.subject.next({ type: 'pageCount', ...counts });
  }

  roomJoined(room: string, member: Member): void {
    if (this.subject.observed) this.subject.next({ type: 'roomJoined', room, member });
  }

  roomUpdated(room: string, member: Member, _except: string | null, previousUserId?: string): void {
    if (!this.subject.observed) return;
    this.subject.next({ type: 'memberUpdated', room, member, ...(previousUserId !== undefined && { previousUserId }) });
  }

  roomLeft(room: string, userId: string, reason: LeaveReason, duration: number): void {
    if (this.subject.observed) this.subject.next({ type: 'roomLeft', room, userId, reason, duration });
  }

  roomCount(room: string, total: number): void {
    if (this.subject.observed) this.subject.next({ type: 'roomCount', room, total });
  }

  roomSync(sync: RoomSyncEvent): void {
    if (this.subject.observed) this.subject.next({ type: 'roomSync', ...sync });
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}

import type { Member } from '@presently/protocol';
import type { Departure, OccupancySink } from '../lib/types';

export type OccupancyRecord =
  | { type: 'pageOccupied'; page: string }
  | { type: 'pageVacated'; page: string }
  | { type: 'roomOccupied'; room: string }
  | ({ type: 'memberJoined'; room: string } & { member: Member })
  | ({ type: 'memberLeft'; room: string } & Departure)
  | { type: 'roomVacated'; room: string };

/** An occupancy sink that records what the core reported, for assertions. */
export class RecordingOccupancy implements OccupancySink {
  events: OccupancyRecord[] = [];

  pageOccupied(page: string): void {
    this.record({ type: 'pageOccupied', page });
  }
  pageVacated(page: string): void {
    this.record({ type: 'pageVacated', page });
  }
  roomOccupied(room: string): void {
    this.record({ type: 'roomOccupied', room });
  }
  memberJoined(room: string, member: Member): void {
    this.record({ type: 'memberJoined', room, member });
  }
  memberLeft(room: string, departure: Departure): void {
    this.record({ type: 'memberLeft', room, ...departure });
  }
  roomVacated(room: string): void {
    this.record({ type: 'roomVacated', room });
  }

  /** Keeps one report; a subclass may add to it (the time it was made, say). */
  protected record(event: OccupancyRecord): void {
    this.events.push(event);
  }

  /** Returns what was recorded since the last call, and forgets it. */
  take(): OccupancyRecord[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

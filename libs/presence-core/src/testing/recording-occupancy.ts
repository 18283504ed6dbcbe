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
    this.events.push({ type: 'pageOccupied', page });
  }
  pageVacated(page: string): void {
    this.events.push({ type: 'pageVacated', page });
  }
  roomOccupied(room: string): void {
    this.events.push({ type: 'roomOccupied', room });
  }
  memberJoined(room: string, member: Member): void {
    this.events.push({ type: 'memberJoined', room, member });
  }
  memberLeft(room: string, departure: Departure): void {
    this.events.push({ type: 'memberLeft', room, ...departure });
  }
  roomVacated(room: string): void {
    this.events.push({ type: 'roomVacated', room });
  }

  /** Returns what was recorded since the last call, and forgets it. */
  take(): OccupancyRecord[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

import type { ActivityState } from '@presently/protocol';

/** What a new connection is until its client reports otherwise. */
export const INITIAL_ACTIVITY: ActivityState = 'active';

/** Whether a connection in `state` counts in a page's `active`. */
export const isActive = (state: ActivityState): boolean => state === 'active';

/** Whether a connection in `state` hears announcements (a hidden one is passive). */
export const isListening = (state: ActivityState): boolean => state !== 'hidden';

/**
 * A member's connections by activity state, so that its activity (the most
 * active state among them: `active` > `idle` > `hidden`) is known in O(1)
 * whatever the number of its connections. Held connections keep the state
 * they had when they went away.
 */
export class ActivityTally {
  private active = 0;
  private idle = 0;
  private hidden = 0;

  /** A connection in `state` came (+1) or went (-1). */
  add(state: ActivityState, delta: 1 | -1): void {
    this[state] += delta;
  }

  /** A connection moved from one state to another. */
  move(from: ActivityState, to: ActivityState): void {
    this[from]--;
    this[to]++;
  }

  /** The member's activity; `hidden` when it has no connection left. */
  get state(): ActivityState {
    return this.active > 0 ? 'active' : this.idle > 0 ? 'idle' : 'hidden';
  }

  /** Connections in each state, as a cluster store's share records them. */
  counts(): Record<ActivityState, number> {
    return { active: this.active, idle: this.idle, hidden: this.hidden };
  }
}

import type { ActivityState } from '@presently/protocol';
import type { ActivitySource } from './activity-source';

/**
 * Decides this page's activity: `hidden` while the page is hidden, `idle`
 * once `idleMs` passed without input, `active` otherwise (and at once on
 * input, or when the page is shown again). Reports each change to
 * `changed`, never the same state twice in a row.
 *
 * A busy page costs nothing: an input only writes its time (and wakes an
 * idle page). One timer at most, and none while the page is hidden: when
 * it fires it looks at the last input's time and either goes idle or waits
 * for the rest of the delay, instead of being reset by every input.
 */
export class ActivityTracker {
  private current: ActivityState = 'active';
  private lastInput = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stops: Array<() => void> = [];

  constructor(
    private readonly source: ActivitySource,
    private readonly idleMs: number,
    private readonly changed: (state: ActivityState) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get state(): ActivityState {
    return this.current;
  }

  /** Starts listening; the state is `hidden` at once if the page is. */
  start(): void {
    if (this.stops.length > 0) return;
    this.stops = [this.source.onVisibilityChange(() => this.visibilityChanged()), this.source.onInput(() => this.input())];
    this.visibilityChanged();
  }

  /** Stops listening and leaves no timer behind. */
  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.clearTimer();
  }

  private input(): void {
    this.lastInput = this.now();
    if (this.current === 'idle') {
      this.set('active');
      this.wait(this.idleMs);
    }
  }

  private visibilityChanged(): void {
    if (this.source.hidden()) {
      this.clearTimer();
      this.set('hidden');
      return;
    }
    // Shown again: someone is looking at it.
    if (this.current === 'hidden' || this.timer === undefined) {
      this.lastInput = this.now();
      this.set('active');
      this.wait(this.idleMs);
    }
  }

  /** The delay ran out: idle if no input came meanwhile, else wait for what is left of it. */
  private check(): void {
    this.timer = undefined;
    if (this.current !== 'active') return;
    const quiet = this.now() - this.lastInput;
    if (quiet >= this.idleMs) this.set('idle');
    else this.wait(this.idleMs - quiet);
  }

  private wait(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.check(), ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(state: ActivityState): void {
    if (state === this.current) return;
    this.current = state;
    this.changed(state);
  }
}

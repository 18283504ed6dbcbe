import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  effect,
  inject,
  input,
  numberAttribute,
  PLATFORM_ID,
  signal,
  untracked,
} from '@angular/core';
import { isPlatformBrowser } from '@angular/common';

/** How often a live figure may speak by default: often enough to follow, rare enough to let the reader read. */
export const ANNOUNCE_EVERY_MS = 10_000;

/**
 * What screen readers hear of a live figure: a visually hidden, polite
 * status that says the figure's text, at most once per `every` ms. The
 * first change after a quiet `every` is said at once; changes within it are
 * folded into one, said at its end with the latest text (so the last value
 * is always said, and a figure moving four times a second is not read four
 * times a second). Nothing is said when the text comes back to what was
 * said last. On the server it renders the text as it is and starts no timer.
 *
 * The figure shown on screen carries no live region of its own: this one
 * speaks for it.
 *
 * @example
 * <span aria-hidden="true">{{ visitors() }}</span>
 * <presently-announce [text]="visitors() + ' visitors online'" />
 */
@Component({
  selector: 'presently-announce',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    role: 'status',
    'aria-live': 'polite',
    'aria-atomic': 'true',
    class: 'presently-announce',
  },
  template: `{{ spoken() }}`,
  styles: `
    :host {
      position: absolute;
      width: 1px;
      height: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip: rect(0 0 0 0);
      clip-path: inset(50%);
      white-space: nowrap;
      border: 0;
    }
  `,
})
export class PoliteAnnouncerComponent {
  /** What the figure says now. */
  readonly text = input.required<string>();
  /** At most one announcement per this many ms. */
  readonly every = input(ANNOUNCE_EVERY_MS, { transform: numberAttribute });

  /** What the live region holds: what was said last. */
  readonly spoken = signal('');

  private readonly browser = isPlatformBrowser(inject(PLATFORM_ID));
  private lastSaid = -Infinity;
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.cancel());
    let first = true;
    effect(() => {
      const text = this.text();
      // The text at first render is the page's content, not news: it is
      // there for whoever reads the region, and it starts no quiet period.
      if (first || !this.browser) {
        first = false;
        this.spoken.set(text);
        return;
      }
      untracked(() => this.changed());
    });
  }

  private changed(): void {
    if (this.pending !== null) return;
    const wait = this.lastSaid + this.every() - Date.now();
    if (wait <= 0) return this.say();
    this.pending = setTimeout(() => {
      this.pending = null;
      this.say();
    }, wait);
  }

  private say(): void {
    const text = this.text();
    if (text === this.spoken()) return;
    this.spoken.set(text);
    this.lastSaid = Date.now();
  }

  private cancel(): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
  }
}

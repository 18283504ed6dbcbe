import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { LiveCountComponent, PoliteAnnouncerComponent, PresenceService } from '@presently/angular';
import { readersNow } from '../shell/spoken-figures';

/**
 * "3 reading now · 2 active" on a post: this reader counts on the page while
 * it is shown; "active" counts the browsers whose tab is in front and in use
 * (a hidden or idle tab still reads, it is not active). Screen readers hear
 * both figures in one sentence, politely and at most every 10 s. A server
 * that does not count activity shows the readers only.
 */
@Component({
  selector: 'app-readers-now',
  imports: [LiveCountComponent, PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pill readers-now' },
  template: `
    <presently-live-count data-testid="post-readers" [page]="page()" enter announce="false" />
    @if (active() !== null) {
      <span class="readers-now__active" data-testid="post-active" [attr.data-active]="active()">
        <!-- &ngsp; keeps the space Angular would drop between the elements. -->
        <span aria-hidden="true">·</span>&ngsp;<span class="readers-now__number">{{ active() }}</span> active
      </span>
    }
    <presently-announce [text]="spoken()" />
  `,
  styles: `
    :host {
      position: relative;
      gap: 0.5em;
    }
    .readers-now__number {
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class ReadersNowComponent {
  readonly page = input.required<string>();
  private readonly counts = inject(PresenceService).pageCount(this.page);
  /** Browsers with an active tab on the page; `null` until known (or from a server that does not count it). */
  readonly active = computed(() => this.counts()?.active ?? null);
  readonly spoken = computed(() => readersNow(this.counts()?.viewers ?? null, this.active()));
}

import { booleanAttribute, ChangeDetectionStrategy, Component, computed, effect, inject, input, numberAttribute } from '@angular/core';
import { ANNOUNCE_EVERY_MS, PoliteAnnouncerComponent } from './polite-announcer.component';
import { PresenceService } from './presence.service';

/**
 * "12 reading now": a page's live viewer count. Screen readers hear it
 * politely, at most once per `announceEvery` ms (see
 * {@link PoliteAnnouncerComponent}); `announce="false"` keeps it quiet, for
 * a list of many counts. `every` (ms) asks the server for at most one count
 * per `every` (a count shown beside each post of an index rarely needs more
 * than one each 5 s); a page this reader entered comes at the server's rate.
 *
 * @example
 * <!-- on a post: this reader counts while the post is shown -->
 * <presently-live-count page="/blog/hello" enter />
 * <!-- beside a link on an index: watches without counting -->
 * <presently-live-count page="/blog/hello" label="reading" announce="false" every="5000" />
 */
@Component({
  selector: 'presently-live-count',
  imports: [PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'presently-live-count',
    '[class.presently-live-count--offline]': 'offline()',
    '[attr.data-viewers]': 'viewers()',
  },
  template: `<span class="presently-live-count__dot" aria-hidden="true"></span
    ><span class="presently-live-count__number">{{ viewers() ?? '–' }}</span> {{ label() }}
    @if (announce()) {
      <presently-announce [text]="spoken()" [every]="announceEvery()" />
    }`,
  styles: `
    :host {
      position: relative;
      display: inline-flex;
      align-items: center;
      gap: 0.35em;
      font-variant-numeric: tabular-nums;
    }
    .presently-live-count__dot {
      width: 0.55em;
      height: 0.55em;
      border-radius: 50%;
      background: var(--presently-live-color, #16a34a);
    }
    :host(.presently-live-count--offline) .presently-live-count__dot {
      background: var(--presently-offline-color, #9ca3af);
    }
    .presently-live-count__number {
      font-weight: 600;
    }
  `,
})
export class LiveCountComponent {
  private readonly presence = inject(PresenceService);
  readonly page = input.required<string>();
  /** Count this reader on the page while the component is shown; otherwise only watch. */
  readonly enter = input(false, { transform: booleanAttribute });
  readonly label = input('reading now');
  /** Whether screen readers hear the count change (politely, throttled). */
  readonly announce = input(true, { transform: booleanAttribute });
  /** At most one announcement per this many ms. */
  readonly announceEvery = input(ANNOUNCE_EVERY_MS, { transform: numberAttribute });
  /** At most one count from the server per this many ms (one of the protocol's rates); unset: the server's own rate. */
  readonly every = input(undefined, { transform: optionalNumber });

  private readonly counts = this.presence.pageCount(this.page, this.every);
  readonly viewers = computed(() => this.counts()?.viewers ?? null);
  readonly offline = computed(() => this.presence.connectionState() !== 'connected');
  /** What screen readers hear: the count and its label, once known. */
  readonly spoken = computed(() => {
    const viewers = this.viewers();
    return viewers === null ? '' : `${viewers} ${this.label()}`;
  });

  constructor() {
    effect((onCleanup) => {
      if (!this.enter()) return;
      onCleanup(this.presence.enter(this.page(), null));
    });
  }
}

/** A number attribute that may be absent (`undefined`, `null` or empty). */
function optionalNumber(value: unknown): number | undefined {
  return value === undefined || value === null || value === '' ? undefined : numberAttribute(value);
}

import { booleanAttribute, ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { PresenceService } from './presence.service';

/**
 * "12 reading now": a page's live viewer count.
 *
 * @example
 * <!-- on a post: this reader counts while the post is shown -->
 * <presently-live-count page="/blog/hello" enter />
 * <!-- beside a link on an index: watches without counting -->
 * <presently-live-count page="/blog/hello" label="reading" />
 */
@Component({
  selector: 'presently-live-count',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    role: 'status',
    'aria-live': 'polite',
    class: 'presently-live-count',
    '[class.presently-live-count--offline]': 'offline()',
    '[attr.data-viewers]': 'viewers()',
  },
  template: `<span class="presently-live-count__dot" aria-hidden="true"></span
    ><span class="presently-live-count__number">{{ viewers() ?? '–' }}</span> {{ label() }}`,
  styles: `
    :host {
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

  private readonly counts = this.presence.pageCount(this.page);
  readonly viewers = computed(() => this.counts()?.viewers ?? null);
  readonly offline = computed(() => this.presence.connectionState() !== 'connected');

  constructor() {
    effect((onCleanup) => {
      if (!this.enter()) return;
      onCleanup(this.presence.enter(this.page(), null));
    });
  }
}

import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import type { ConnectionState } from '@presently/client';
import { PresenceService } from './presence.service';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The connection's state as a dot and a word, for every page's header. */
@Component({
  selector: 'presently-connection-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    role: 'status',
    'aria-live': 'polite',
    class: 'presently-connection-status',
    '[attr.data-state]': 'state()',
  },
  template: `<span class="presently-connection-status__dot" aria-hidden="true"></span>{{ label() }}`,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
    }
    .presently-connection-status__dot {
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      background: var(--presently-status-away, #f59e0b);
    }
    :host([data-state='connected']) .presently-connection-status__dot {
      background: var(--presently-status-online, #16a34a);
    }
    :host([data-state='offline']) .presently-connection-status__dot {
      background: var(--presently-status-busy, #dc2626);
    }
  `,
})
export class ConnectionStatusComponent {
  readonly state = inject(PresenceService).connectionState;
  readonly label = computed(() => LABELS[this.state()]);
}

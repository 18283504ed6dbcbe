import { afterNextRender, ChangeDetectionStrategy, Component, computed, DestroyRef, inject, input, signal } from '@angular/core';
import { humanDuration, isoDuration, timeAgo } from './human-time';
import { PresenceService } from './presence.service';

/** How often "5 min ago" is brought up to date. */
const TICK_MS = 30_000;

/**
 * Who was recently in a room (protocol 1.1 `room:recent`): "Ada, 5 min ago,
 * stayed 12 min", most recent first, with `<time>` elements whose
 * `datetime` carries the exact moment and duration. Times are measured
 * with the server's clock, so a visitor's wrong clock does not skew them.
 * Shows nothing until the answer comes (and in a server-side render, which
 * opens no socket); in the browser, the "ago" is brought up to date every
 * 30 s.
 *
 * @example
 * <h2 id="recent-heading">Recently here</h2>
 * <presently-recent-list room="lobby" aria-labelledby="recent-heading" />
 */
@Component({
  selector: 'presently-recent-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'presently-recent-list' },
  template: `
    @if (entries(); as list) {
      <ul class="presently-recent-list__entries" [attr.aria-label]="'Recently in ' + room()">
        @for (entry of list; track entry.userId) {
          <li class="presently-recent-list__entry" [attr.data-user]="entry.userId">
            <span class="presently-recent-list__name">{{ entry.name }}</span
            ><span class="presently-recent-list__when"
              >, <time [attr.datetime]="entry.leftAt">{{ entry.ago }}</time>, stayed
              <time [attr.datetime]="entry.stayedFor">{{ entry.stayed }}</time></span
            >
          </li>
        } @empty {
          <li class="presently-recent-list__empty">Nobody left recently.</li>
        }
      </ul>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      padding: 0.25em 0;
    }
    .presently-recent-list__when,
    .presently-recent-list__empty {
      color: var(--presently-muted, #6b7280);
      font-size: 0.85em;
    }
  `,
})
export class RecentListComponent {
  private readonly presence = inject(PresenceService);
  readonly room = input.required<string>();

  readonly recent = this.presence.recent(this.room);
  /** Moves on every 30 s, in the browser only. */
  private readonly tick = signal(0);

  protected readonly entries = computed(() => {
    const recent = this.recent();
    if (!recent) return null;
    this.tick();
    // The server's time, as this client estimates it from its last session.
    const now = this.presence.client.serverNow();
    return recent.map((leaver) => ({
      userId: leaver.userId,
      name: leaver.name,
      leftAt: new Date(leaver.leftAt).toISOString(),
      ago: timeAgo(now - leaver.leftAt),
      stayedFor: isoDuration(leaver.duration),
      stayed: humanDuration(leaver.duration),
    }));
  });

  constructor() {
    const destroyRef = inject(DestroyRef);
    // Only in the browser: a server-side render must not wait on a timer.
    afterNextRender(() => {
      const timer = setInterval(() => this.tick.update((n) => n + 1), TICK_MS);
      destroyRef.onDestroy(() => clearInterval(timer));
    });
  }
}

import { booleanAttribute, ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import type { ProfileInput } from '@presently/protocol';
import { PresenceService, type RoomHandle } from './presence.service';

/**
 * Who is online in a room: names with a status dot (online, away, busy, or
 * an application's own status), earliest first. This browser's own entry is
 * marked (`data-self`, "you"): the member whose userId is the one the server
 * reported in `session` (an anonymous visitor's public id, not its clientId).
 *
 * @example
 * <presently-online-list room="lobby" [profile]="{ name: 'Ada', status: 'away' }" />
 * <!-- the page joins the room itself: only show the list -->
 * <presently-online-list room="lobby" [join]="false" />
 */
@Component({
  selector: 'presently-online-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'presently-online-list' },
  template: `
    <ul class="presently-online-list__members" [attr.aria-label]="'Online in ' + room()">
      @for (member of members(); track member.userId) {
        <li
          class="presently-online-list__member"
          [attr.data-user]="member.userId"
          [attr.data-status]="member.status"
          [attr.data-self]="member.userId === self() ? '' : null"
        >
          <span class="presently-online-list__dot" [attr.data-status]="member.status" aria-hidden="true"></span>
          <span class="presently-online-list__name">{{ member.name }}</span>
          @if (member.userId === self()) {
            <span class="presently-online-list__self">(you)</span>
          }
          <span class="presently-online-list__status">{{ member.status }}</span>
        </li>
      } @empty {
        <li class="presently-online-list__empty">Nobody is here yet.</li>
      }
    </ul>
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
      display: flex;
      align-items: center;
      gap: 0.5em;
      padding: 0.25em 0;
    }
    .presently-online-list__dot {
      flex: none;
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      background: var(--presently-status-other, #6b7280);
    }
    .presently-online-list__dot[data-status='online'] {
      background: var(--presently-status-online, #16a34a);
    }
    .presently-online-list__dot[data-status='away'] {
      background: var(--presently-status-away, #f59e0b);
    }
    .presently-online-list__dot[data-status='busy'] {
      background: var(--presently-status-busy, #dc2626);
    }
    .presently-online-list__self,
    .presently-online-list__status {
      color: var(--presently-muted, #6b7280);
      font-size: 0.85em;
    }
    .presently-online-list__empty {
      color: var(--presently-muted, #6b7280);
    }
  `,
})
export class OnlineListComponent {
  private readonly presence = inject(PresenceService);
  readonly room = input.required<string>();
  /** Join the room while shown (default); `false` when the page joins it itself. */
  readonly join = input(true, { transform: booleanAttribute });
  /** This user's name, status and meta in the room; changes are applied live. */
  readonly profile = input<ProfileInput | undefined>(undefined);

  readonly members = this.presence.members(this.room);
  /** This browser's userId as the server reported it: how its own entry is recognised. */
  protected readonly self = computed(() => this.presence.session()?.userId ?? null);
  private handle: RoomHandle | null = null;

  constructor() {
    effect((onCleanup) => {
      if (!this.join()) return;
      const handle = this.presence.join(this.room(), untracked(this.profile), null);
      this.handle = handle;
      onCleanup(() => {
        handle.release();
        if (this.handle === handle) this.handle = null;
      });
    });
    let first = true;
    effect(() => {
      const profile = this.profile();
      // The join itself carries the first profile.
      if (first) return void (first = false);
      if (profile) untracked(() => this.handle?.update(profile));
    });
  }
}

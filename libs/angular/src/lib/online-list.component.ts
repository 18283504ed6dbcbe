import { booleanAttribute, ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import type { Member, ProfileInput } from '@presently/protocol';
import { PresenceService, type RoomHandle } from './presence.service';
import { typingText } from './typing-text';

/** What a member's activity adds after its status, in words (never by colour alone). */
const ACTIVITY_LABELS: Record<string, string> = { idle: 'idle', hidden: 'away' };

/**
 * Who is online in a room: names with a status dot (online, away, busy, or
 * an application's own status), earliest first. This browser's own entry is
 * marked (`data-self`, "you"): the member whose userId is the one the server
 * reported in `session` (an anonymous visitor's public id, not its clientId).
 *
 * Activity (protocol 1.1): an idle member's dot is hollow and says "idle",
 * a member whose every tab is hidden says "away". Below the list, a polite
 * live region says who is typing; it changes (and is announced) only when
 * someone starts or stops, never on a renewal.
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
          [attr.data-activity]="member.activity ?? 'active'"
          [attr.data-self]="member.userId === self() ? '' : null"
        >
          <span
            class="presently-online-list__dot"
            [attr.data-status]="member.status"
            [attr.data-activity]="member.activity ?? 'active'"
            aria-hidden="true"
          ></span>
          <!-- &ngsp; keeps a space between the words for screen readers (flex items show none). -->
          <span class="presently-online-list__name">{{ member.name }}</span>&ngsp;
          @if (member.userId === self()) {
            <span class="presently-online-list__self">(you)</span>&ngsp;
          }
          <span class="presently-online-list__status">{{ member.status }}</span>
          @if (activityLabel(member); as label) {
            &ngsp;<span class="presently-online-list__activity">{{ label }}</span>
          }
        </li>
      } @empty {
        <li class="presently-online-list__empty">Nobody is here yet.</li>
      }
    </ul>
    <p class="presently-online-list__typing" role="status" aria-live="polite">{{ typingText() }}</p>
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
      --presently-dot: var(--presently-status-other, #6b7280);
      flex: none;
      box-sizing: border-box;
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      background: var(--presently-dot);
    }
    .presently-online-list__dot[data-status='online'] {
      --presently-dot: var(--presently-status-online, #16a34a);
    }
    .presently-online-list__dot[data-status='away'] {
      --presently-dot: var(--presently-status-away, #f59e0b);
    }
    .presently-online-list__dot[data-status='busy'] {
      --presently-dot: var(--presently-status-busy, #dc2626);
    }
    /* Not at the keyboard: a ring in the same colour (dimmed without losing contrast; the words say it too). */
    .presently-online-list__dot[data-activity='idle'],
    .presently-online-list__dot[data-activity='hidden'] {
      background: transparent;
      border: 0.15em solid var(--presently-dot);
    }
    .presently-online-list__self,
    .presently-online-list__status,
    .presently-online-list__activity {
      color: var(--presently-muted, #6b7280);
      font-size: 0.85em;
    }
    .presently-online-list__empty {
      color: var(--presently-muted, #6b7280);
    }
    .presently-online-list__typing {
      min-height: 1.4em;
      margin: 0.25em 0 0;
      color: var(--presently-muted, #6b7280);
      font-size: 0.85em;
      font-style: italic;
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
  /** The other members typing now (userIds). */
  readonly typing = this.presence.typing(this.room);
  /** This browser's userId as the server reported it: how its own entry is recognised. */
  protected readonly self = computed(() => this.presence.session()?.userId ?? null);
  /** Who is typing, in words; the same string (so no new announcement) while the same members type. */
  protected readonly typingText = computed(() => {
    const names = new Map(this.members().map((m) => [m.userId, m.name]));
    return typingText(this.typing().flatMap((userId) => names.get(userId) ?? []));
  });
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

  protected activityLabel(member: Member): string | null {
    const label = member.activity ? ACTIVITY_LABELS[member.activity] : undefined;
    // A status that says it already ("away") is not repeated.
    return label && label !== member.status ? label : null;
  }
}

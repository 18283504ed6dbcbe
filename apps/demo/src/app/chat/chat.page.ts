import { DatePipe, NgTemplateOutlet } from '@angular/common';
import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  type ElementRef,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink, RouterLinkActive } from '@angular/router';
import { OnlineListComponent, PresenceService } from '@presently/angular';
import type { ProfileInput } from '@presently/protocol';
import { switchMap } from 'rxjs';
import { type Activity, describe, type KnownMember, learn, prepend, remember } from './activity';
import { ChatIdentity, type Status, STATUSES } from './chat-identity';
import { isRoomName, NAME_MAX, ROOMS, roomKey } from './chat-rooms';

const STATUS_LABELS: Record<Status, string> = { online: 'Online', away: 'Away', busy: 'Busy' };

/**
 * A chat room's "who is online": pick a name, set a status, see the members
 * and a feed of who joined, left or changed status. The room is joined once
 * a name is picked, and left when the page is.
 */
@Component({
  selector: 'app-chat-page',
  imports: [RouterLink, RouterLinkActive, DatePipe, NgTemplateOutlet, OnlineListComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat.page.html',
  styleUrl: './chat.page.css',
})
export class ChatPage {
  private readonly presence = inject(PresenceService);
  readonly identity = inject(ChatIdentity);

  /** From the route (`/chat/:room`). */
  readonly room = input.required<string>();
  readonly rooms = ROOMS;
  readonly statuses = STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }));
  readonly nameMax = NAME_MAX;

  readonly valid = computed(() => isRoomName(this.room()));
  readonly key = computed(() => roomKey(this.room()));
  readonly members = this.presence.members(this.key);
  readonly profile = computed<ProfileInput>(() => ({
    name: this.identity.name() ?? undefined,
    status: this.identity.status(),
  }));

  /** Whether the name form is open over an already chosen name. */
  readonly editing = signal(false);
  readonly feed = signal<readonly Activity[]>([]);

  private readonly nameInput = viewChild<ElementRef<HTMLInputElement>>('nameInput');

  constructor() {
    const known = new Map<string, KnownMember>();
    let nextId = 0;
    // Names of members who were here before this page: a `left` event carries only the userId.
    effect(() => learn(known, this.members()));
    toObservable(this.key)
      .pipe(
        switchMap((key) => {
          known.clear();
          this.feed.set([]);
          return this.presence.roomEvents(key);
        }),
        takeUntilDestroyed(),
      )
      .subscribe((event) => {
        const at = Date.now();
        const lines = describe(event, known).map((draft) => ({ ...draft, id: nextId++, at }));
        remember(known, event);
        if (lines.length) this.feed.update((feed) => prepend(feed, lines));
      });
    afterRenderEffect(() => {
      if (this.editing()) this.nameInput()?.nativeElement.focus();
    });
  }

  saveName(event: Event, value: string): void {
    event.preventDefault();
    if (this.identity.setName(value)) this.editing.set(false);
  }

  setStatus(status: Status): void {
    this.identity.setStatus(status);
  }
}

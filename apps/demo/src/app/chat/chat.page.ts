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
import { OnlineListComponent, PresenceService, RecentListComponent, typingText } from '@presently/angular';
import type { ProfileInput } from '@presently/protocol';
import { switchMap } from 'rxjs';
import { DemoSignIn } from '../sign-in/demo-sign-in';
import { type Activity, type ActivityDraft, describe, type KnownMember, learn, prepend, remember } from './activity';
import { ChatIdentity, normalizeName, type Status, STATUSES } from './chat-identity';
import { fitsMeta, MESSAGE_MAX, messageMeta, normalizeMessage } from './chat-message';
import { isRoomName, NAME_MAX, ROOMS, roomKey } from './chat-rooms';

const STATUS_LABELS: Record<Status, string> = { online: 'Online', away: 'Away', busy: 'Busy' };

/** Where the keyboard goes once the control it was on is gone. */
type FocusTarget = 'name' | 'sign-in-name' | 'sign-in' | 'sign-out' | null;

/**
 * A chat room's "who is online": pick a name, set a status, talk, see the
 * members (idle and away ones marked), who is typing, who just left, and a
 * feed of messages, joins, leaves and changes. Signing in and out (a demo
 * token, where the server offers them) changes the member in place, on the
 * same connection. The room is joined once a name is picked, and left when
 * the page is.
 */
@Component({
  selector: 'app-chat-page',
  imports: [RouterLink, RouterLinkActive, DatePipe, NgTemplateOutlet, OnlineListComponent, RecentListComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat.page.html',
  styleUrl: './chat.page.css',
})
export class ChatPage {
  private readonly presence = inject(PresenceService);
  readonly identity = inject(ChatIdentity);
  readonly signIn = inject(DemoSignIn);

  /** From the route (`/chat/:room`). */
  readonly room = input.required<string>();
  readonly rooms = ROOMS;
  readonly statuses = STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }));
  readonly nameMax = NAME_MAX;
  readonly messageMax = MESSAGE_MAX;

  readonly valid = computed(() => isRoomName(this.room()));
  readonly key = computed(() => roomKey(this.room()));
  readonly members = this.presence.members(this.key);
  /** The other members typing now (userIds). */
  readonly typing = this.presence.typing(this.key);
  /** "Ada is typing…", beside the message field. */
  readonly typingLine = computed(() => {
    const names = new Map(this.members().map((member) => [member.userId, member.name]));
    return typingText(this.typing().flatMap((userId) => names.get(userId) ?? []));
  });
  readonly profile = computed<ProfileInput>(() => ({
    // Signed in, the token names the member: the server ignores a name given here.
    name: this.identity.name() ?? undefined,
    status: this.identity.status(),
  }));
  /** How this user appears in the room. */
  private readonly selfName = computed(() => this.signIn.name() ?? this.identity.name() ?? 'You');

  /** Whether the name form is open over an already chosen name. */
  readonly editing = signal(false);
  /** Whether the sign-in form is open. */
  readonly signingIn = signal(false);
  readonly feed = signal<readonly Activity[]>([]);
  /** Why the last message was not sent. */
  readonly messageError = signal<string | null>(null);

  private readonly focusTarget = signal<FocusTarget>(null);
  private readonly nameInput = viewChild<ElementRef<HTMLInputElement>>('nameInput');
  private readonly signInInput = viewChild<ElementRef<HTMLInputElement>>('signInInput');
  private readonly signInButton = viewChild<ElementRef<HTMLButtonElement>>('signInButton');
  private readonly signOutButton = viewChild<ElementRef<HTMLButtonElement>>('signOutButton');
  private nextId = 0;

  constructor() {
    this.signIn.probe();
    const known = new Map<string, KnownMember>();
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
        const lines = describe(event, known);
        remember(known, event);
        this.add(lines);
      });
    afterRenderEffect(() => {
      const wanted = this.focusTarget();
      if (wanted === null) return;
      this.focusable(wanted)?.nativeElement.focus();
      this.focusTarget.set(null);
    });
  }

  openNameForm(): void {
    this.editing.set(true);
    this.focusTarget.set('name');
  }

  saveName(event: Event, value: string): void {
    event.preventDefault();
    if (this.identity.setName(value)) this.editing.set(false);
  }

  setStatus(status: Status): void {
    this.identity.setStatus(status);
  }

  /** Every keystroke in the message field: this user is typing (a cleared field is not). */
  typed(value: string): void {
    if (value.trim()) this.presence.client.typing(this.key());
    else this.presence.client.stopTyping(this.key());
  }

  /** Sends the message: it reaches the room as this member's last message (see `chat-message.ts`). */
  send(event: Event, field: HTMLInputElement): void {
    event.preventDefault();
    const text = normalizeMessage(field.value);
    if (text === null) return;
    const meta = messageMeta({ text, at: Date.now() });
    if (!fitsMeta(meta)) return void this.messageError.set('That message is too long to send; shorten it a little.');
    const key = this.key();
    this.messageError.set(null);
    this.presence.client.stopTyping(key);
    this.presence.client
      .room(key)
      .update({ meta })
      .then(
        () => {
          if (this.key() !== key) return;
          if (normalizeMessage(field.value) === text) field.value = '';
          this.add([{ kind: 'message', name: this.selfName(), text, status: this.identity.status() }]);
        },
        (error: unknown) => {
          const code = (error as { code?: string }).code;
          this.messageError.set(code === 'RATE_LIMITED' ? 'Easy there: too many messages at once. Try again in a moment.' : 'That message was not sent; try again.');
        },
      );
  }

  openSignIn(): void {
    this.signingIn.set(true);
    this.focusTarget.set('sign-in-name');
  }

  closeSignIn(): void {
    this.signingIn.set(false);
    this.focusTarget.set('sign-in');
  }

  async submitSignIn(event: Event, name: string): Promise<void> {
    event.preventDefault();
    const display = normalizeName(name);
    if (!display) return;
    if (await this.signIn.signIn(display)) {
      this.signingIn.set(false);
      this.focusTarget.set('sign-out');
    }
  }

  async signOut(): Promise<void> {
    if (await this.signIn.signOut()) this.focusTarget.set('sign-in');
  }

  private focusable(target: FocusTarget): ElementRef<HTMLElement> | undefined {
    switch (target) {
      case 'name':
        return this.nameInput();
      case 'sign-in-name':
        return this.signInInput();
      case 'sign-in':
        return this.signInButton();
      case 'sign-out':
        return this.signOutButton();
      default:
        return undefined;
    }
  }

  private add(drafts: readonly ActivityDraft[]): void {
    if (!drafts.length) return;
    const at = Date.now();
    const lines = drafts.map((draft) => ({ ...draft, id: this.nextId++, at }));
    this.feed.update((feed) => prepend(feed, lines));
  }
}

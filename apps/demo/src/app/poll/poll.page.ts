import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { PoliteAnnouncerComponent, PresenceService } from '@presently/angular';
import { pollSplit } from '../shell/spoken-figures';
import { split } from './split';

/** The demo's one poll; the server keeps its tallies. */
export const POLL = 'demo:red-or-blue';

interface Option {
  id: 'red' | 'blue';
  label: string;
}

/**
 * Red or blue: every click is a vote, the server keeps the tallies and pushes
 * them to every open tab, which shows the counts and their split.
 */
@Component({
  selector: 'app-poll-page',
  imports: [PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './poll.page.html',
  styleUrl: './poll.page.css',
})
export class PollPage {
  private readonly presence = inject(PresenceService);
  private readonly tallies = this.presence.poll(POLL);

  readonly options: readonly Option[] = [
    { id: 'red', label: 'Red' },
    { id: 'blue', label: 'Blue' },
  ];
  readonly connected = computed(() => this.presence.connectionState() === 'connected');
  readonly loaded = computed(() => this.tallies() !== null);
  readonly counts = computed(() => {
    const tallies = this.tallies()?.tallies ?? {};
    return { red: tallies['red'] ?? 0, blue: tallies['blue'] ?? 0 };
  });
  readonly split = computed(() => {
    const { red, blue } = this.counts();
    const { a, b, total } = split(red, blue);
    return { red: a, blue: b, total };
  });
  /** What screen readers hear of the split (politely, at most every 10 s). */
  readonly spoken = computed(() => (this.loaded() ? pollSplit(this.split()) : ''));
  /** Why the last click did not count, if it did not. */
  readonly error = signal<string | null>(null);

  vote(option: Option['id']): void {
    this.error.set(null);
    this.presence.client
      .poll(POLL)
      .vote(option)
      .catch((error: unknown) => {
        const code = (error as { code?: string }).code;
        this.error.set(code === 'RATE_LIMITED' ? 'Easy there: too many clicks at once. Try again in a moment.' : 'That click did not count; try again.');
      });
  }
}

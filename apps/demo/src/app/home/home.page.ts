import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { PoliteAnnouncerComponent, PresenceService } from '@presently/angular';
import { visitorsOnline } from '../shell/spoken-figures';

interface Tour {
  path: string;
  title: string;
  text: string;
  tryIt: string;
}

/** What the demo shows and how to try it. */
@Component({
  selector: 'app-home-page',
  imports: [RouterLink, PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './home.page.html',
  styleUrl: './home.page.css',
})
export class HomePage {
  private readonly stats = inject(PresenceService).stats();
  readonly visitors = computed(() => this.stats()?.online.visitors ?? null);
  /** What screen readers hear of the figure (politely, at most every 10 s). */
  readonly spoken = computed(() => visitorsOnline(this.visitors()));

  readonly tours: readonly Tour[] = [
    {
      path: '/blog',
      title: 'Blog',
      text: 'Every post shows how many people are reading it right now; the index shows it beside each title.',
      tryIt: 'Open the same post in two tabs.',
    },
    {
      path: '/chat',
      title: 'Who is online',
      text: 'Pick a name and a status, and talk; see who else is in the room, who is typing, who stepped away and who just left.',
      tryIt: 'Type in one tab, or switch to another tab, and watch the other.',
    },
    {
      path: '/dashboard',
      title: 'Dashboard',
      text: 'Connections and visitors across the whole site, the busiest pages, and the last ten minutes.',
      tryIt: 'Open and close tabs while it is on screen.',
    },
    {
      path: '/poll',
      title: 'Live poll',
      text: 'Red or blue? Every click counts, and every open tab sees the result change.',
      tryIt: 'Click in one tab, watch the bar move in the other.',
    },
  ];
}

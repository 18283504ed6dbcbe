import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ConnectionStatusComponent, PresenceService } from '@presently/angular';
import { enterCurrentPage } from './shell/enter-current-page';

interface NavLink {
  id: string;
  path: string;
  label: string;
  exact: boolean;
}

/** The shell: header with navigation and the connection's state, the routed page, a footer. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ConnectionStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.component.html',
  styleUrl: './app.component.css',
})
export class AppComponent {
  readonly session = inject(PresenceService).session;
  readonly links: readonly NavLink[] = [
    { id: 'home', path: '/', label: 'Home', exact: true },
    { id: 'blog', path: '/blog', label: 'Blog', exact: false },
    { id: 'chat', path: '/chat', label: 'Chat', exact: false },
    { id: 'dashboard', path: '/dashboard', label: 'Dashboard', exact: false },
    { id: 'poll', path: '/poll', label: 'Poll', exact: false },
  ];

  constructor() {
    enterCurrentPage();
  }
}

import { DestroyRef, inject } from '@angular/core';
import { NavigationEnd, Router } from '@angular/router';
import { PresenceService } from '@presently/angular';
import { filter } from 'rxjs';
import { pageKey } from './page-key';

/** Whether the shown route counts its visitors (`data: { countVisit: false }` opts out). */
function countsVisit(router: Router): boolean {
  let route = router.routerState.snapshot.root;
  while (route.firstChild) route = route.firstChild;
  return route.data['countVisit'] !== false;
}

/**
 * Counts this tab on the page it shows (the route's path) and leaves the
 * previous one on every navigation, so the dashboard's top pages show where
 * visitors are (the not-found page is not counted). Call in an injection
 * context; it stops with it.
 */
export function enterCurrentPage(): void {
  const router = inject(Router);
  const presence = inject(PresenceService);
  let current: { page: string; release: () => void } | null = null;
  const subscription = router.events
    .pipe(filter((event): event is NavigationEnd => event instanceof NavigationEnd))
    .subscribe((event) => {
      const page = countsVisit(router) ? pageKey(event.urlAfterRedirects) : null;
      if (current?.page === page) return;
      current?.release();
      current = page === null ? null : { page, release: presence.enter(page, null) };
    });
  inject(DestroyRef).onDestroy(() => {
    subscription.unsubscribe();
    current?.release();
  });
}

import { isPlatformBrowser } from '@angular/common';
import { DestroyRef, type EnvironmentProviders, inject, InjectionToken, makeEnvironmentProviders, PLATFORM_ID } from '@angular/core';
import { createPresenceClient, type PresenceClient, type PresenceClientOptions } from '@presently/client';

/** The client the bindings use; one per application (environment injector). */
export const PRESENCE_CLIENT = new InjectionToken<PresenceClient>('PresenceClient');

/** `url` defaults to the page's own origin. */
export type PresentlyConfig = Partial<PresenceClientOptions>;

/**
 * Connects the application to a Presently server: one socket, shared by every
 * component, closed when the application is destroyed. In a server-side
 * render the client opens no socket (nothing holds the render from becoming
 * stable, and the server is no visitor), tracks no activity and touches no
 * `document`: components render their empty state, and the browser connects
 * once the application starts there.
 *
 * @example
 * bootstrapApplication(App, {
 *   providers: [provideZonelessChangeDetection(), providePresently({ url: 'https://presence.example.com' })],
 * });
 */
export function providePresently(config: PresentlyConfig = {}): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: PRESENCE_CLIENT,
      useFactory: () => {
        const browser = isPlatformBrowser(inject(PLATFORM_ID));
        const client = createPresenceClient({ url: '', ...config, ...(!browser && { autoConnect: false, activity: false, storage: null }) });
        inject(DestroyRef).onDestroy(() => client.close());
        return client;
      },
    },
  ]);
}

import { DestroyRef, type EnvironmentProviders, inject, InjectionToken, makeEnvironmentProviders } from '@angular/core';
import { createPresenceClient, type PresenceClient, type PresenceClientOptions } from '@presently/client';

/** The client the bindings use; one per application (environment injector). */
export const PRESENCE_CLIENT = new InjectionToken<PresenceClient>('PresenceClient');

/** `url` defaults to the page's own origin. */
export type PresentlyConfig = Partial<PresenceClientOptions>;

/**
 * Connects the application to a Presently server: one socket, shared by every
 * component, closed when the application is destroyed.
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
        const client = createPresenceClient({ url: '', ...config });
        inject(DestroyRef).onDestroy(() => client.close());
        return client;
      },
    },
  ]);
}

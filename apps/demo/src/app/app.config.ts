import { type ApplicationConfig, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { providePresently } from '@presently/angular';
import { routes } from './app.routes';
import { tabStorage } from './shell/tab-storage';
import { KeptToken, tabToken } from './sign-in/kept-token';

/** The demo sign-in this tab made, if any: every new handshake presents it while it is valid. */
const keptToken = tabToken();

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding(), withInMemoryScrolling({ scrollPositionRestoration: 'top' })),
    // Same origin as the page. Each tab keeps its own clientId so that "open
    // this in two tabs" shows two visitors; a real site keeps the default
    // (localStorage), where the tabs of one browser count once.
    providePresently({ storage: tabStorage(), token: () => keptToken.read() }),
    { provide: KeptToken, useValue: keptToken },
  ],
};

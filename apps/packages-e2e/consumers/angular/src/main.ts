import { ChangeDetectionStrategy, Component, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { ConnectionStatusComponent, LiveCountComponent, providePresently } from '@presently/angular';

/** One page: its own live count (this reader counts while it is open) and the connection's state. */
@Component({
  selector: 'app-root',
  imports: [LiveCountComponent, ConnectionStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Presently in an Angular app</h1>
    <p><presently-live-count page="/" enter label="here now" /></p>
    <presently-connection-status />
  `,
})
class App {}

// The server that hosts the app is the Presently server: the client's url defaults to the page's origin.
bootstrapApplication(App, { providers: [provideZonelessChangeDetection(), providePresently()] }).catch((error: unknown) => {
  document.body.textContent = `failed to start: ${String(error)}`;
});

import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';

bootstrapApplication(AppComponent, appConfig).catch((error: unknown) => {
  // The page has nothing to show without the app; make the reason visible.
  document.body.textContent = `The demo failed to start: ${String(error)}`;
});

import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app.config';
import { startupConfig } from './app/config';
import { App } from './app/app';

bootstrapApplication(App, appConfig(startupConfig(window.location))).catch((err: unknown) => {
  document.body.textContent = `Fieldbook could not start: ${err instanceof Error ? err.message : String(err)}`;
});

import { ApplicationConfig, inject, isDevMode, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideServiceWorker } from '@angular/service-worker';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { APP_CONFIG, type AppConfig } from './config';
import { SyncService } from './sync/sync-service';
import { AuthService } from './auth/auth-service';

export function appConfig(config: AppConfig): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      provideRouter(routes, withComponentInputBinding()),
      { provide: APP_CONFIG, useValue: config },
      // The database exists before the first component renders; replication starts right after.
      provideAppInitializer(async () => {
        // Signed in on this device (even with an expired token, even offline): open that
        // person's database and sync; otherwise the router shows the sign-in page.
        const session = inject(AuthService).session();
        if (!session) return;
        const sync = inject(SyncService);
        await sync.openDatabase(session.userId);
        sync.start();
      }),
      provideServiceWorker('ngsw-worker.js', {
        enabled: !isDevMode(),
        registrationStrategy: 'registerImmediately',
      }),
    ],
  };
}

import { ApplicationConfig, inject, isDevMode, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideServiceWorker } from '@angular/service-worker';
import { APP_CONFIG, type AppConfig } from './config';
import { DatabaseService } from './data/database-service';
import { SyncService } from './sync/sync-service';

export function appConfig(config: AppConfig): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      { provide: APP_CONFIG, useValue: config },
      // The database exists before the first component renders; replication starts right after.
      provideAppInitializer(async () => {
        const database = inject(DatabaseService);
        const sync = inject(SyncService);
        await database.open();
        sync.start();
      }),
      provideServiceWorker('ngsw-worker.js', {
        enabled: !isDevMode(),
        registrationStrategy: 'registerImmediately',
      }),
    ],
  };
}

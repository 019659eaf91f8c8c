import { provideZonelessChangeDetection, type EnvironmentProviders, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { APP_CONFIG } from '../config';
import { DatabaseService } from '../data/database-service';

let counter = 0;

/** Providers for a real RxDB database on Dexie/IndexedDB with a name no other test uses. */
export function provideTestDatabase(): (Provider | EnvironmentProviders)[] {
  counter += 1;
  return [
    provideZonelessChangeDetection(),
    {
      provide: APP_CONFIG,
      useValue: {
        graphqlHttpUrl: 'http://127.0.0.1:9/graphql',
        graphqlWsUrl: 'ws://127.0.0.1:9/graphql',
        databaseName: `fieldbook-spec-${Date.now()}-${counter}`,
      },
    },
  ];
}

export async function openTestDatabase(): Promise<DatabaseService> {
  const service = TestBed.inject(DatabaseService);
  await service.open();
  return service;
}

export async function removeTestDatabase(): Promise<void> {
  const db = TestBed.inject(DatabaseService).db;
  await db.remove();
}

/** Waits until `condition` holds (RxDB queries emit asynchronously); fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

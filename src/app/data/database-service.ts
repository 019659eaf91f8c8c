import { Injectable, inject } from '@angular/core';
import { APP_CONFIG } from '../config';
import { createFieldbookDatabase, type DatabaseListeners, type FieldbookDatabase } from './database';

/** Holds the open local database. It is opened by the app initializer, before the first render. */
@Injectable({ providedIn: 'root' })
export class DatabaseService {
  private readonly config = inject(APP_CONFIG);
  private database: FieldbookDatabase | undefined;

  get db(): FieldbookDatabase {
    if (!this.database) throw new Error('The local database is not open yet');
    return this.database;
  }

  /**
   * Opens the database of `userId`: one per signed-in person, so two people sharing a
   * device never see each other's local data (or pending changes).
   */
  async open(listeners?: DatabaseListeners, userId?: string): Promise<FieldbookDatabase> {
    this.database ??= await createFieldbookDatabase(databaseNameFor(this.config.databaseName, userId), listeners);
    return this.database;
  }
}

/** RxDB names are lowercase letters, digits, `_`, `$` and `-`; user ids are UUIDs. */
export function databaseNameFor(base: string, userId?: string): string {
  return userId ? `${base}-u-${userId.toLowerCase().replace(/[^a-z0-9]/g, '')}` : base;
}

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

  async open(listeners?: DatabaseListeners): Promise<FieldbookDatabase> {
    this.database ??= await createFieldbookDatabase(this.config.databaseName, listeners);
    return this.database;
  }
}

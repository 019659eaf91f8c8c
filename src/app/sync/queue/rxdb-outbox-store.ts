/**
 * The outbox persisted in a local-only RxDB collection: never replicated, shared by all
 * tabs of the device through IndexedDB, so every tab shows the same states.
 */
import type { RxCollection, RxJsonSchema } from 'rxdb';
import { map, type Observable } from 'rxjs';
import type { OutboxEntry } from './outbox-entry';

/**
 * How an entry is stored: `collection` is renamed, because RxDB documents already have a
 * `collection` property of their own.
 */
type StoredEntry = Omit<OutboxEntry, 'collection'> & { recordCollection: OutboxEntry['collection'] };

function toStored({ collection, ...rest }: OutboxEntry): StoredEntry {
  return { ...rest, recordCollection: collection };
}

function fromStored({ recordCollection, ...rest }: StoredEntry): OutboxEntry {
  return { ...rest, collection: recordCollection };
}
import type { OutboxStore } from './outbox-store';

export const outboxSchema = {
  title: 'outbox',
  description: 'Local changes the server has not accepted yet, with their sync state',
  version: 0,
  primaryKey: 'key',
  type: 'object',
  properties: {
    key: { type: 'string', maxLength: 100 },
    recordCollection: { type: 'string', maxLength: 20 },
    docId: { type: 'string', maxLength: 64 },
    label: { type: 'string' },
    operation: { type: 'string', maxLength: 10 },
    state: { type: 'string', maxLength: 10 },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
    nextRetryAt: { type: ['number', 'null'] },
    baseRevision: { type: ['integer', 'null'] },
    localRevision: { type: 'integer' },
    serverRevision: { type: ['integer', 'null'] },
    deleted: { type: 'boolean' },
    changedAt: { type: 'number', minimum: 0, maximum: 1e15, multipleOf: 1 },
    rejection: { type: ['object', 'null'] },
    parked: { type: ['object', 'null'] },
    review: { type: ['object', 'null'] },
  },
  required: ['key', 'recordCollection', 'docId', 'label', 'operation', 'state', 'attempts', 'localRevision', 'deleted', 'changedAt'],
  indexes: ['changedAt'],
} as const satisfies RxJsonSchema<StoredEntry>;

export type OutboxCollection = RxCollection<StoredEntry>;

export class RxdbOutboxStore implements OutboxStore {
  constructor(private readonly collection: OutboxCollection) {}

  async get(keys: readonly string[]): Promise<Map<string, OutboxEntry>> {
    const docs = await this.collection.findByIds([...keys]).exec();
    return new Map([...docs.entries()].map(([key, doc]) => [key, fromStored(doc.toJSON() as StoredEntry)]));
  }

  async put(entries: readonly OutboxEntry[]): Promise<void> {
    await this.collection.bulkUpsert(entries.map(toStored));
  }

  async remove(keys: readonly string[]): Promise<void> {
    await this.collection.bulkRemove([...keys]);
  }

  watch(): Observable<readonly OutboxEntry[]> {
    return this.collection
      .find({ sort: [{ changedAt: 'asc' }, { key: 'asc' }] })
      .$.pipe(map((docs) => docs.map((d) => fromStored(d.toJSON() as StoredEntry))));
  }

  async all(): Promise<readonly OutboxEntry[]> {
    const docs = await this.collection.find({ sort: [{ changedAt: 'asc' }, { key: 'asc' }] }).exec();
    return docs.map((d) => fromStored(d.toJSON() as StoredEntry));
  }
}

/**
 * Drops every replicated document of one workspace from the local database, as if the
 * device had never pulled it, and without anything a replication could ever push.
 *
 * How, and why not the obvious ways:
 * - `doc.remove()` is a local write: the outbox hooks would record it as the person
 *   deleting things, and the tombstone would be pushed.
 * - A tombstone written straight to storage skips the hooks, but RxDB keeps it; a later
 *   replication of the workspace (after a re-invite) starts from an empty checkpoint,
 *   finds a changed document with no assumed master state and pushes the deletion.
 * - `storageInstance.cleanup(t)` removes tombstones physically, but every tombstone
 *   older than `t`: also the unpushed deletions of other workspaces.
 *
 * So, per collection: the workspace's documents get a tombstone written through the
 * storage instance (no hooks, so no outbox entries; the change event takes them out of
 * every tab's queries and document caches), and then exactly those tombstones are
 * deleted from the Dexie table. Nothing of the workspace is left to push or to compare
 * against. The caller stops the workspace's replication and drops its meta data first
 * (`WorkspaceReplication.remove`), so no push runs meanwhile and a re-invite pulls
 * everything again from scratch.
 */
import type { RxStorageInstance } from 'rxdb';
import { COLLECTIONS, type CollectionName } from '../../shared/collections';
import type { FieldbookDatabase } from './database';

type Stored = { id: string; workspaceId: string; _deleted: boolean; _rev: string; _meta: { lwt: number }; _attachments: Record<string, never> };

/** What the Dexie storage keeps in `internals` (RxDB's `DexieStorageInternals`): its table of documents. */
interface DexieTable {
  filter(fn: (doc: Record<string, unknown>) => boolean): { primaryKeys(): Promise<string[]> };
  bulkGet(keys: string[]): Promise<(Record<string, unknown> | undefined)[]>;
  bulkDelete(keys: string[]): Promise<void>;
}
interface DexieInternals {
  dexieDb: { transaction<T>(mode: 'rw', table: DexieTable, scope: () => Promise<T>): Promise<T> };
  dexieTable: DexieTable;
}

/** Documents dropped per collection. */
export type PurgeResult = Record<CollectionName, number>;

export async function purgeWorkspace(db: FieldbookDatabase, workspaceId: string): Promise<PurgeResult> {
  const result = {} as PurgeResult;
  for (const { name } of COLLECTIONS) {
    const storage = db[name].storageInstance as unknown as RxStorageInstance<Stored, Promise<DexieInternals>, unknown>;
    const { dexieDb, dexieTable } = await storage.internals;
    const ids = await dexieTable.filter((doc) => doc['workspaceId'] === workspaceId).primaryKeys();
    const stored = await storage.findDocumentsById(ids, true);
    const live = stored.filter((doc) => !doc._deleted);
    if (live.length > 0) {
      await storage.bulkWrite(live.map((previous) => ({ previous, document: { ...previous, _deleted: true } })), 'fieldbook-purge-workspace');
    }
    // Only tombstones of this workspace go: a document written meanwhile is left alone.
    await dexieDb.transaction('rw', dexieTable, async () => {
      const current = await dexieTable.bulkGet(ids);
      const gone = current.filter((d): d is Record<string, unknown> => d?.['workspaceId'] === workspaceId && d['_deleted'] === '1');
      await dexieTable.bulkDelete(gone.map((d) => String(d['id'])));
    });
    result[name] = ids.length;
  }
  return result;
}

/**
 * The local database: RxDB on Dexie (IndexedDB). It is the app's source of truth;
 * the server is reached only through replication (`../sync/replication.ts`).
 */
import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { commentSchema, listSchema, rxSchemaOf, taskSchema, type CollectionName, type CommentDoc, type ListDoc, type TaskDoc } from '../../shared/collections';
import { revisionAwareConflictHandler, type RefusalCheck, type ReviewListener, type ConflictResolvedListener } from '../sync/conflict-handler';
import { outboxSchema, type OutboxCollection } from '../sync/queue/rxdb-outbox-store';
import type { LocalWrite } from '../sync/queue/outbox-entry';
import { recoveredSchema, type RecoveredCollection } from './recovered-work-store';
import { settleIncrementalWrites } from './settle-incremental-writes';

export type ListCollection = RxCollection<ListDoc>;
export type TaskCollection = RxCollection<TaskDoc>;
export type CommentCollection = RxCollection<CommentDoc>;

export interface FieldbookCollections {
  lists: ListCollection;
  tasks: TaskCollection;
  comments: CommentCollection;
  /** Local only: the sync state of records with unaccepted changes. */
  outbox: OutboxCollection;
  /** Local only: pending changes kept after their workspace was dropped (lost access). */
  recovered: RecoveredCollection;
}

export interface DatabaseListeners {
  /** Merges that left fields for a person to decide. */
  readonly onReview?: ReviewListener;
  /** Every local write (not replication's), so the outbox can record it. */
  readonly onLocalWrite?: (write: LocalWrite) => void;
  /** Records the server refused, answered with its current state (see the conflict handler). */
  readonly takeRefused?: RefusalCheck;
  /** How each conflict was resolved (the outbox entry follows the record's new revision). */
  readonly onResolved?: ConflictResolvedListener;
}

export type FieldbookDatabase = RxDatabase<FieldbookCollections>;

/**
 * Opens the database. `storage` is Dexie (IndexedDB) in the app; Node-run harnesses pass
 * RxDB's memory storage, so the same collections, hooks and conflict handler run there.
 */
export async function createFieldbookDatabase(
  name: string,
  listeners: DatabaseListeners = {},
  storage: RxStorage<unknown, unknown> = getRxStorageDexie(),
): Promise<FieldbookDatabase> {
  const { onReview, onLocalWrite, takeRefused, onResolved } = listeners;
  const db = await createRxDatabase<FieldbookCollections>({
    name,
    storage,
    multiInstance: true,
    eventReduce: true,
    closeDuplicates: true,
  });
  await db.addCollections({
    lists: { schema: rxSchemaOf(listSchema), conflictHandler: revisionAwareConflictHandler<ListDoc>('lists', onReview, takeRefused, onResolved) },
    tasks: { schema: rxSchemaOf(taskSchema), conflictHandler: revisionAwareConflictHandler<TaskDoc>('tasks', onReview, takeRefused, onResolved) },
    comments: { schema: rxSchemaOf(commentSchema), conflictHandler: revisionAwareConflictHandler<CommentDoc>('comments', onReview, takeRefused, onResolved) },
    outbox: { schema: outboxSchema },
    recovered: { schema: recoveredSchema },
  });
  // Every local change proposes the next revision (see the contract in shared/collections.ts).
  // The hook runs for incrementalModify/Patch/Remove; replication writes bypass it.
  type Replicated = RxCollection<{ id: string; revision: number; title?: string; name?: string; body?: string; _deleted?: boolean }>;
  Object.values(db.collections).forEach((collection) => settleIncrementalWrites(collection as RxCollection));
  for (const collection of [db.lists, db.tasks, db.comments] as unknown as Replicated[]) {
    collection.preSave((data, previous) => {
      data.revision = (previous as { revision: number }).revision + 1;
    }, false);
    if (onLocalWrite) {
      const record = (data: { id: string; revision: number; title?: string; name?: string; body?: string; _deleted?: boolean }, isInsert: boolean) =>
        onLocalWrite({
          collection: collection.name as CollectionName,
          docId: data.id,
          label: data.title ?? data.name ?? data.body?.slice(0, 60) ?? data.id,
          revision: data.revision,
          deleted: data._deleted === true,
          isInsert,
        });
      collection.postInsert((data) => record(data, true), false);
      collection.postSave((data) => record(data, false), false);
    }
  }
  return db;
}

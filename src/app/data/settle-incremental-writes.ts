import type { RxCollection, RxStorageBulkWriteResponse, RxStorageInstance, RxStorageWriteError } from 'rxdb';

type BulkWrite = RxStorageInstance<unknown, unknown, unknown>['bulkWrite'];

interface IncrementalWriteQueue {
  storageInstance: { bulkWrite: BulkWrite };
  primaryPath: string;
}

/**
 * RxDB's incremental write queue (`incrementalModify`, `incrementalPatch`,
 * `incrementalRemove`) expects its storage to answer a failed write per row. When the
 * storage throws instead, as Dexie does when IndexedDB aborts a transaction for lack of
 * space, the queue leaves its callers waiting and itself marked as running, forever: every
 * later edit of the collection would hang, even once space returns. This answers such a
 * failure per row, with the storage's error as its `cause`, so the queue rejects the edit
 * with that cause (the caller sees the quota error) and moves on to the next one.
 */
export function settleIncrementalWrites(collection: RxCollection): void {
  const queue = (collection as unknown as { incrementalWriteQueue: IncrementalWriteQueue }).incrementalWriteQueue;
  const storage = queue.storageInstance;
  const bulkWrite: BulkWrite = async (rows, context) => {
    try {
      return await storage.bulkWrite(rows, context);
    } catch (cause) {
      const error = rows.map((writeRow) => ({
        status: 510,
        isError: true,
        documentId: (writeRow.document as unknown as Record<string, string>)[queue.primaryPath],
        writeRow,
        cause,
      })) as unknown as RxStorageWriteError<unknown>[];
      return { error } satisfies RxStorageBulkWriteResponse<unknown>;
    }
  };
  queue.storageInstance = Object.assign(Object.create(storage) as typeof storage, { bulkWrite });
}

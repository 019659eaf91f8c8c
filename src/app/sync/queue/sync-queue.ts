/**
 * The outbox: one entry per record with unsent or unaccepted local changes, moved
 * through the transitions of `outbox-entry.ts` by what replication reports. An entry
 * disappears once the server has accepted the record's newest local version; a record
 * without an entry is synced at its own `revision`.
 *
 * Updates run one after another (read, transition, write), so concurrent reports on the
 * same record do not overwrite each other.
 */
import type { Observable } from 'rxjs';
import type { CollectionName } from '../../../shared/collections';
import type { Clock } from './clock';
import {
  entryKey, onAccepted, onDecided, onFailed, onLocalWrite, onNeedsReview, onOffline, onPushStarted, onRebased, onRejected, onResolvedToServer, onRetryScheduled,
  type LocalWrite, type OutboxEntry, type ParkedRow, type RejectionInfo, type ReviewInfo,
} from './outbox-entry';
import type { OutboxStore } from './outbox-store';

/** What the queue needs to know of a document in a push row. */
export interface RowDocument {
  readonly id: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly label: string;
  /** The push row has no assumed master state: the server has never seen this record. */
  readonly isNew: boolean;
}

export class SyncQueue {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: OutboxStore,
    private readonly clock: Clock,
  ) {}

  get entries$(): Observable<readonly OutboxEntry[]> {
    return this.store.watch();
  }

  all(): Promise<readonly OutboxEntry[]> {
    return this.store.all();
  }

  /** Failed attempts recorded for a record (0 when it has no entry). */
  async attempts(collection: CollectionName, docId: string): Promise<number> {
    await this.chain;
    const key = entryKey(collection, docId);
    return (await this.store.get([key])).get(key)?.attempts ?? 0;
  }

  recordLocalWrite(write: LocalWrite): Promise<void> {
    return this.update([entryKey(write.collection, write.docId)], (found) => {
      const key = entryKey(write.collection, write.docId);
      return [[onLocalWrite(found.get(key), write, this.clock.now())]];
    });
  }

  pushStarted(collection: CollectionName, docs: readonly RowDocument[]): Promise<void> {
    return this.updateDocs(collection, docs, (entry) => onPushStarted(entry));
  }

  accepted(collection: CollectionName, docs: readonly RowDocument[]): Promise<void> {
    const byKey = new Map(docs.map((d) => [entryKey(collection, d.id), d]));
    return this.update([...byKey.keys()], (found) => {
      const next: OutboxEntry[] = [];
      const settled: string[] = [];
      for (const [key, doc] of byKey) {
        const entry = found.get(key);
        if (!entry) continue;
        const after = onAccepted(entry, doc.revision);
        if (after.state === 'synced') settled.push(key);
        else next.push(after);
      }
      return [next, settled];
    });
  }

  /**
   * A conflict of the pushed version was resolved: to the server's state (the entry
   * settles, see `onResolvedToServer`) or to a merge (the entry waits for the merge's
   * revision, see `onRebased`).
   */
  conflictResolved(collection: CollectionName, docId: string, pushedRevision: number, resolution: { kind: 'kept-server' | 'merged'; revision: number }): Promise<void> {
    const key = entryKey(collection, docId);
    return this.update([key], (found) => {
      const entry = found.get(key);
      if (!entry) return [[]];
      const after = resolution.kind === 'kept-server'
        ? onResolvedToServer(entry, pushedRevision, resolution.revision)
        : onRebased(entry, pushedRevision, resolution.revision);
      return after.state === 'synced' ? [[], [key]] : [[after]];
    });
  }

  /** A failed attempt for these records: each one's own count goes up (it survives reloads). */
  retryScheduled(collection: CollectionName, docs: readonly RowDocument[], error: string, nextRetryAt: number): Promise<void> {
    return this.updateDocs(collection, docs, (entry) => onRetryScheduled(entry, entry.attempts + 1, error, nextRetryAt));
  }

  failed(collection: CollectionName, docs: readonly RowDocument[], error: string, parked?: ReadonlyMap<string, ParkedRow>): Promise<void> {
    return this.updateDocs(collection, docs, (entry) => onFailed(entry, error, parked?.get(entry.docId) ?? entry.parked));
  }

  rejected(collection: CollectionName, docs: readonly RowDocument[], rejections: ReadonlyMap<string, RejectionInfo>): Promise<void> {
    return this.updateDocs(collection, docs, (entry) => {
      const rejection = rejections.get(entry.docId);
      return rejection ? onRejected(entry, rejection) : entry;
    });
  }

  /** A conflict left for the person: the record stays in the outbox with all three versions. */
  needsReview(collection: CollectionName, docId: string, reason: string, review: ReviewInfo): Promise<void> {
    const mine = review.mine;
    const doc: RowDocument = {
      id: docId, revision: Number(mine['revision'] ?? 0), deleted: mine['deleted'] === true,
      label: String(mine['title'] ?? mine['name'] ?? docId), isNew: review.base === null,
    };
    return this.updateDocs(collection, [doc], (entry) => onNeedsReview(entry, reason, review));
  }

  /** Connectivity lost: requests in flight or waiting to retry become work saved on the device. */
  wentOffline(): Promise<void> {
    return this.enqueue(async () => {
      const all = await this.store.all();
      const changed = all.filter((e) => e.state === 'syncing' || e.state === 'retrying').map(onOffline);
      if (changed.length > 0) await this.store.put(changed);
    });
  }

  /** The person decided a review or refusal; the write carrying the decision comes next. */
  decided(collection: CollectionName, docId: string): Promise<void> {
    const key = entryKey(collection, docId);
    return this.update([key], (found) => {
      const entry = found.get(key);
      return [entry ? [onDecided(entry)] : []];
    });
  }

  /** Removes an entry (a discarded local change). */
  forget(collection: CollectionName, docId: string): Promise<void> {
    return this.enqueue(() => this.store.remove([entryKey(collection, docId)]));
  }

  /** Applies `transition` to each doc's entry, creating entries for docs never recorded locally. */
  private updateDocs(collection: CollectionName, docs: readonly RowDocument[], transition: (entry: OutboxEntry) => OutboxEntry): Promise<void> {
    const keys = docs.map((d) => entryKey(collection, d.id));
    return this.update(keys, (found) => [
      docs.map((doc) => {
        const key = entryKey(collection, doc.id);
        const entry = found.get(key)
          ?? onLocalWrite(undefined, { collection, docId: doc.id, label: doc.label, revision: doc.revision, deleted: doc.deleted, isInsert: doc.isNew }, this.clock.now());
        return transition(entry);
      }),
    ]);
  }

  private update(keys: readonly string[], apply: (found: Map<string, OutboxEntry>) => [OutboxEntry[]] | [OutboxEntry[], string[]]): Promise<void> {
    return this.enqueue(async () => {
      const found = await this.store.get(keys);
      const [put, remove = []] = apply(found);
      if (put.length > 0) await this.store.put(put);
      if (remove.length > 0) await this.store.remove(remove);
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * What a person can do with a record in the review inbox (DESIGN.md, "Conflict and rule
 * policy"). Every decision is an ordinary local write on top of the server's current
 * state, so it syncs like any other change and both devices converge on it:
 *
 * - same field changed on both sides: keep mine, theirs or an edited value per field;
 * - deleted elsewhere while I edited: restore with my edits, or discard them;
 * - deleted here while someone edited: delete anyway, or keep theirs;
 * - refused by the server's rules: fix and resubmit (or move to another list), or discard.
 *
 * The outbox entry leaves its state first (`decided`), so the write that follows is an
 * ordinary pending change.
 */
import { Injectable, inject } from '@angular/core';
import { COLLECTIONS, META_FIELDS, type CollectionName } from '../../shared/collections';
import { DatabaseService } from '../data/database-service';
import { SyncService } from '../sync/sync-service';
import type { OutboxEntry } from '../sync/queue/outbox-entry';

type Fields = Record<string, unknown>;
interface Writable {
  incrementalModify(fn: (data: Fields) => Fields): Promise<unknown>;
  incrementalRemove(): Promise<unknown>;
}
interface AnyCollection {
  findOne(id: string): { exec(): Promise<Writable | null> };
  insert(doc: Fields): Promise<unknown>;
  storageInstance: { findDocumentsById(ids: string[], withDeleted: boolean): Promise<Fields[]> };
}

const meta = new Set<string>([...META_FIELDS, 'deleted']);

/** The content fields of a wire document of `collection` (what a person wrote). */
export function contentOf(collection: CollectionName, doc: Fields): Fields {
  const definition = COLLECTIONS.find((c) => c.name === collection)!;
  const out: Fields = {};
  for (const field of Object.keys(definition.schema.properties)) {
    if (!meta.has(field) && field in doc) out[field] = doc[field];
  }
  return out;
}

@Injectable({ providedIn: 'root' })
export class InboxActions {
  private readonly database = inject(DatabaseService);
  private readonly sync = inject(SyncService);

  private collection(name: CollectionName): AnyCollection {
    return this.database.db[name] as unknown as AnyCollection;
  }

  /** Same-field review: writes the chosen value of each field over the server's state. */
  async resolveFields(entry: OutboxEntry, values: Fields): Promise<void> {
    await this.writeOver(entry, values);
  }

  /** Deleted elsewhere: brings the record back with my version. */
  async restore(entry: OutboxEntry): Promise<void> {
    const mine = entry.review?.mine ?? entry.rejection?.mine;
    if (!mine) return;
    await this.sync.decided(entry.collection, entry.docId);
    const collection = this.collection(entry.collection);
    const existing = await collection.findOne(entry.docId).exec();
    if (existing) {
      await existing.incrementalModify((data) => ({ ...data, ...contentOf(entry.collection, mine) }));
      return;
    }
    // Insert over the local tombstone, one revision above it: the server accepts it as the next revision.
    const [tombstone] = await collection.storageInstance.findDocumentsById([entry.docId], true);
    const revision = Number(tombstone?.['revision'] ?? mine['revision'] ?? 0) + 1;
    const { deleted, ...fields } = mine;
    void deleted;
    await collection.insert({ ...fields, revision });
  }

  /** Deleted here while edited elsewhere: deletes the server's version too. */
  async deleteAnyway(entry: OutboxEntry): Promise<void> {
    await this.sync.decided(entry.collection, entry.docId);
    const doc = await this.collection(entry.collection).findOne(entry.docId).exec();
    await doc?.incrementalRemove();
  }

  /** Fix and resubmit (or move to another list): my refused version with the changes, over the server's state. */
  async resubmit(entry: OutboxEntry, changes: Fields): Promise<void> {
    const mine = entry.rejection?.mine ?? entry.review?.mine ?? {};
    const collection = this.collection(entry.collection);
    if (!(await collection.findOne(entry.docId).exec()) && entry.rejection?.theirs?.['deleted'] !== true) {
      await this.restore(entry);
    }
    await this.writeOver(entry, { ...contentOf(entry.collection, mine), ...changes });
  }

  /**
   * Keeps the server's version and drops mine: theirs of a review, a deletion elsewhere
   * that stands, or a refused write. A refused record the server never had is removed here.
   */
  async discard(entry: OutboxEntry): Promise<void> {
    const neverOnServer = entry.state === 'rejected' && !entry.rejection?.theirs;
    if (neverOnServer) {
      await this.sync.decided(entry.collection, entry.docId);
      const doc = await this.collection(entry.collection).findOne(entry.docId).exec();
      if (doc) {
        await doc.incrementalRemove();
        return;
      }
    }
    // A later edit of the refused record that the server has not accepted yet still syncs.
    const current = await this.collection(entry.collection).findOne(entry.docId).exec();
    const revision = Number((current as { revision?: number } | null)?.revision ?? 0);
    if (entry.state === 'rejected' && entry.serverRevision !== null && revision > entry.serverRevision) {
      await this.sync.decided(entry.collection, entry.docId);
      return;
    }
    await this.sync.forget(entry.collection, entry.docId);
  }

  private async writeOver(entry: OutboxEntry, values: Fields): Promise<void> {
    await this.sync.decided(entry.collection, entry.docId);
    const doc = await this.collection(entry.collection).findOne(entry.docId).exec();
    if (!doc) throw new Error('This record was deleted meanwhile');
    await doc.incrementalModify((data) => ({ ...data, ...values }));
  }
}

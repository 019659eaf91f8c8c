/**
 * How RxDB compares and resolves document states for our revisioned documents.
 *
 * - `isEqual` is a deep equality, except when the downstream asks whether an incoming
 *   server state equals the local one: a server state with a lower revision than the local
 *   document is an old echo (our own write came back after a newer one was accepted) and
 *   is treated as already known, so it can never roll the local document back.
 * - `resolve` applies the product's three-way merge (shared/merge.ts) with the assumed
 *   master state as the base, except for a write the server refused under its rules:
 *   that record shows the server's state (the person's version waits in the outbox).
 */
import { deepEqual, type RxConflictHandler } from 'rxdb';
import type { CollectionName } from '../../shared/collections';
import { mergeDocuments, type MergeResult } from '../../shared/merge';
import { toWireDocument, withoutRxdbFields } from '../data/wire';

type Revisioned = Record<string, unknown> & { revision: number; _deleted?: boolean };

/** The three versions of a conflicted record, kept so the person's version is never lost. */
export interface ConflictVersions {
  readonly base: Record<string, unknown> | null;
  readonly mine: Record<string, unknown>;
  readonly theirs: Record<string, unknown>;
}

/** Told about merges that left fields for a person to decide (the review inbox builds on it). */
export type ReviewListener = (
  collection: CollectionName,
  id: string,
  review: MergeResult<never>['review'],
  versions: ConflictVersions,
) => void;

function toWire(doc: unknown): Revisioned & { deleted: boolean } {
  return toWireDocument(doc as Record<string, unknown>) as Revisioned & { deleted: boolean };
}

/**
 * True (once) for a record the server refused under its rules and answered with its
 * current document: the local record takes the server's truth, no merge, because the
 * person's version is kept in the outbox entry for them to fix, move or discard.
 */
export type RefusalCheck = (collection: CollectionName, id: string) => boolean;

export function revisionAwareConflictHandler<T>(
  collection: CollectionName,
  onReview: ReviewListener = () => undefined,
  takeRefused: RefusalCheck = () => false,
): RxConflictHandler<T> {
  const handler: RxConflictHandler<Revisioned> = {
    isEqual(a, b, context) {
      if (context === 'downstream-check-if-equal-1' && a.revision < b.revision) return true;
      return deepEqual(withoutRxdbFields(a as Revisioned), withoutRxdbFields(b as Revisioned));
    },
    async resolve(input) {
      if (takeRefused(collection, String(input.newDocumentState['id']))) return input.realMasterState;
      const base = input.assumedMasterState ? toWire(input.assumedMasterState) : undefined;
      const mine = toWire(input.newDocumentState);
      const theirs = toWire(input.realMasterState);
      const result = mergeDocuments(collection, base, mine, theirs);
      if (result.review.length > 0) {
        onReview(collection, String(mine['id']), result.review, { base: base ?? null, mine, theirs });
      }
      if (result.takesTheirs) return input.realMasterState;
      const { deleted, ...merged } = result.merged;
      return { ...merged, _deleted: deleted } as Revisioned & { _deleted: boolean };
    },
  };
  return handler as unknown as RxConflictHandler<T>;
}

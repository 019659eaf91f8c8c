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

/**
 * Told how a conflict of the pushed version `pushedRevision` was resolved, because the
 * record's local revision changes without a local write (replication writes bypass the
 * revision hook) and its outbox entry must follow:
 * - `kept-server`: the record now equals the server's `revision` with nothing for the
 *   person to decide (the same change made on both sides, a delete meeting a delete):
 *   nothing is left to push, the entry settles (or it would show "syncing" forever);
 * - `merged`: the merge at `revision` (the server's + 1) is the local version to push
 *   now; the entry waits for that revision, not for the pushed one (or an accepted merge
 *   would look older than the local version and stay "saved offline" forever).
 */
export type ConflictResolvedListener = (
  collection: CollectionName,
  id: string,
  pushedRevision: number,
  resolution: { readonly kind: 'kept-server' | 'merged'; readonly revision: number },
) => void;

export function revisionAwareConflictHandler<T>(
  collection: CollectionName,
  onReview: ReviewListener = () => undefined,
  takeRefused: RefusalCheck = () => false,
  onResolved: ConflictResolvedListener = () => undefined,
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
      const id = String(mine['id']);
      if (result.takesTheirs) {
        if (result.review.length === 0) onResolved(collection, id, mine.revision, { kind: 'kept-server', revision: theirs.revision });
        return input.realMasterState;
      }
      onResolved(collection, id, mine.revision, { kind: 'merged', revision: result.merged.revision });
      const { deleted, ...merged } = result.merged;
      return { ...merged, _deleted: deleted } as Revisioned & { _deleted: boolean };
    },
  };
  return handler as unknown as RxConflictHandler<T>;
}

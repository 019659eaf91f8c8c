/**
 * Three-way merge of a document by product policy (DESIGN.md, "Conflict and rule policy").
 * Declared once here and used by the client's conflict handler and the server alike.
 *
 * Inputs are wire documents (with `deleted`): `base` is the last state both sides agreed
 * on (the push's assumed master state; absent for an insert that met an existing id),
 * `mine` is the local state, `theirs` is the server's current state.
 */
import { META_FIELDS, type CollectionName } from './collections';

export type FieldPolicy = 'review' | 'lww';

/** Same field edited on both sides: what happens. Fields not listed keep the server's value. */
export const FIELD_POLICY: Record<CollectionName, Record<string, FieldPolicy>> = {
  tasks: {
    title: 'review',
    notes: 'review',
    status: 'lww',
    priority: 'lww',
    dueAt: 'lww',
    assigneeId: 'lww',
    listId: 'lww',
  },
  lists: {
    name: 'review',
    archived: 'lww',
  },
  // Append-only: the server refuses edits, so a comment never has a same-field conflict.
  comments: {},
};

export type ReviewReason = 'same-field' | 'deleted-elsewhere' | 'deleted-here';

export interface MergeResult<T> {
  /** The state to write locally and push (equal to `theirs` when nothing of mine survives). */
  readonly merged: T;
  /** True when `merged` is exactly the server's state: nothing to push. */
  readonly takesTheirs: boolean;
  /** Fields that need a person's decision, and why. Empty when the merge is automatic. */
  readonly review: readonly { field: string; reason: ReviewReason }[];
}

type Doc = Record<string, unknown> & { deleted: boolean; revision: number };

const metaFields = new Set<string>(META_FIELDS);

function same(a: unknown, b: unknown): boolean {
  return a === b || (a == null && b == null);
}

/** Content equality: every field but bookkeeping (revision, server stamps). */
export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (metaFields.has(key)) continue;
    if (!same(a[key], b[key])) return false;
  }
  return true;
}

export function mergeDocuments<T extends Doc>(
  collection: CollectionName,
  base: T | undefined,
  mine: T,
  theirs: T,
): MergeResult<T> {
  const keepTheirs = (review: MergeResult<T>['review'] = []): MergeResult<T> => ({ merged: theirs, takesTheirs: true, review });

  if (theirs.deleted && mine.deleted) return keepTheirs();
  if (theirs.deleted) {
    // Deleted elsewhere: the server's tombstone stands unless the person restores.
    const edited = !base || !sameContent({ ...mine, deleted: false }, { ...base, deleted: false });
    return keepTheirs(edited ? [{ field: 'deleted', reason: 'deleted-elsewhere' }] : []);
  }
  if (mine.deleted) {
    const editedElsewhere = !base || !sameContent({ ...theirs, deleted: false }, { ...base, deleted: false });
    if (editedElsewhere) return keepTheirs([{ field: 'deleted', reason: 'deleted-here' }]);
    return { merged: { ...theirs, deleted: true, revision: theirs.revision + 1 }, takesTheirs: false, review: [] };
  }

  const policy = FIELD_POLICY[collection];
  const merged: Record<string, unknown> = { ...theirs };
  const review: { field: string; reason: ReviewReason }[] = [];
  let changed = false;
  for (const field of Object.keys(mine)) {
    if (metaFields.has(field) || field === 'deleted') continue;
    const mineValue = mine[field];
    const theirsValue = theirs[field];
    if (same(mineValue, theirsValue)) continue;
    const baseValue = base?.[field];
    const mineChanged = !base || !same(mineValue, baseValue);
    const theirsChanged = !base || !same(theirsValue, baseValue);
    if (mineChanged && !theirsChanged) {
      merged[field] = mineValue;
      changed = true;
    } else if (mineChanged && theirsChanged) {
      if (policy[field] === 'lww') {
        // The server orders writes; this write reaches it after theirs, so it wins.
        merged[field] = mineValue;
        changed = true;
      } else if (policy[field] === 'review') {
        review.push({ field, reason: 'same-field' });
      }
    }
  }
  if (!changed) return keepTheirs(review);
  return { merged: { ...merged, revision: theirs.revision + 1 } as T, takesTheirs: false, review };
}

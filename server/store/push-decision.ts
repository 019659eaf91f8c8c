/**
 * The server's rules for one push row, as a pure function of the row and the server's
 * current document. `sql-store.ts` runs it inside the push transaction.
 */
import { META_FIELDS, type CollectionDefinition } from '../../src/shared/collections';
import { sameContent } from '../../src/shared/merge';
import { validateDocument } from '../../src/shared/validate';
import type { PushRow, Rejection, WireDocument } from './store';

/** What the server knows of a document: its workspace and its wire state. */
export interface CurrentDocument {
  readonly workspaceId: string;
  readonly document: WireDocument;
}

/** The client-owned part of an accepted write; the store adds the server stamps. */
export interface AcceptedWrite {
  readonly id: string;
  readonly revision: number;
  readonly deleted: boolean;
  /** Content fields (everything but bookkeeping and the tombstone), nulls made explicit. */
  readonly data: Record<string, unknown>;
}

export type Decision =
  | { readonly kind: 'insert'; readonly write: AcceptedWrite }
  | { readonly kind: 'update'; readonly write: AcceptedWrite }
  | { readonly kind: 'noop' }
  | { readonly kind: 'conflict'; readonly current: WireDocument }
  | { readonly kind: 'reject'; readonly rejection: Rejection };

const metaFields = new Set<string>([...META_FIELDS, 'deleted']);

function contentOf(collection: CollectionDefinition, doc: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of Object.keys(collection.schema.properties)) {
    if (!metaFields.has(field)) data[field] = doc[field] ?? null;
  }
  return data;
}

function reject(id: string, code: Rejection['code'], message: string, fields: Rejection['fields'] = []): Decision {
  return { kind: 'reject', rejection: { id, code, message, fields } };
}

/**
 * Decides one row of a push to `workspaceId`. `current` is the server's document with
 * the row's id in this collection, in any workspace, or undefined when there is none.
 */
export function decidePushRow(
  collection: CollectionDefinition,
  workspaceId: string,
  row: PushRow,
  current: CurrentDocument | undefined,
): Decision {
  const proposed = row.newDocumentState;
  const id = typeof proposed['id'] === 'string' ? proposed['id'] : '';
  const fieldErrors = validateDocument(collection, proposed);
  if (typeof proposed['deleted'] !== 'boolean') fieldErrors.push({ field: 'deleted', message: 'deleted is required' });
  if (fieldErrors.length > 0) {
    return reject(id, 'VALIDATION', `The ${collection.typeName.toLowerCase()} is not valid`, fieldErrors);
  }
  if (proposed['workspaceId'] !== workspaceId) {
    return reject(id, 'FORBIDDEN', 'The document belongs to another workspace than the push');
  }
  const assumed = row.assumedMasterState ?? null;
  if (assumed && assumed['id'] !== id) {
    return reject(id, 'FORBIDDEN', 'The assumed master state is of another document');
  }
  // Same message as a forged workspace: whether the id exists elsewhere is not revealed.
  if (current && current.workspaceId !== workspaceId) {
    return reject(id, 'FORBIDDEN', 'The document belongs to another workspace than the push');
  }

  const revision = proposed['revision'] as number;
  const deleted = proposed['deleted'] as boolean;
  const write: AcceptedWrite = { id, revision, deleted, data: contentOf(collection, proposed) };
  if (!current) return { kind: 'insert', write };

  const server = current.document;
  if (assumed && assumed['revision'] === server.revision) {
    if (revision > server.revision) return { kind: 'update', write };
    return reject(id, 'REVISION_INVALID', `The new revision must be above the current revision ${server.revision}`);
  }
  // The client lost the answer to a push the server applied and sends it again.
  if (revision === server.revision && deleted === server.deleted && sameContent(proposed, server)) {
    return { kind: 'noop' };
  }
  return { kind: 'conflict', current: server };
}

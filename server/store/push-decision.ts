/**
 * The server's rules for one push row, as a pure function of the row and the server's
 * current document. `sql-store.ts` runs it inside the push transaction.
 */
import { META_FIELDS, type CollectionDefinition } from '../../src/shared/collections';
import { sameContent } from '../../src/shared/merge';
import { validateDocument } from '../../src/shared/validate';
import type { Role } from '../auth/account-store';
import type { PushRow, Rejection, WireDocument } from './store';

/**
 * What the rules need to know beyond the document itself, read by the store in the
 * push transaction: who pushes and which lists the pushed tasks point at are archived.
 */
export interface RuleContext {
  /**
   * The pusher's role in the workspace; `null` for an unauthenticated push (sync is being
   * scoped to members: such pushes will not reach the store), undefined for a non-member.
   */
  readonly role: Role | null | undefined;
  /** Ids of archived lists among those the pushed rows refer to. */
  readonly archivedListIds: ReadonlySet<string>;
}

export const NO_RULE_CONTEXT: RuleContext = { role: null, archivedListIds: new Set() };

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
  | { readonly kind: 'reject'; readonly rejection: Rejection; readonly current?: WireDocument };

const metaFields = new Set<string>([...META_FIELDS, 'deleted']);

function contentOf(collection: CollectionDefinition, doc: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of Object.keys(collection.schema.properties)) {
    if (!metaFields.has(field)) data[field] = doc[field] ?? null;
  }
  return data;
}

function reject(id: string, code: Rejection['code'], message: string, fields: Rejection['fields'] = []): Extract<Decision, { kind: 'reject' }> {
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
  rules: RuleContext = NO_RULE_CONTEXT,
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

  // Product rules on the proposed state, before the revision check: a write that is not
  // allowed is refused even when stale, so the client learns "not allowed", not "merge".
  const refusal = ruleRefusal(collection, id, proposed, current?.document, rules);
  // The server's truth goes with a rule refusal, so the client can show it (the workspace was checked above).
  if (refusal) return current ? { ...refusal, current: current.document } : refusal;

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

/** The product rules of DESIGN.md ("Conflict and rule policy") that depend on more than one field. */
function ruleRefusal(
  collection: CollectionDefinition,
  id: string,
  proposed: Record<string, unknown>,
  server: WireDocument | undefined,
  rules: RuleContext,
): Extract<Decision, { kind: 'reject' }> | undefined {
  const replay = server && proposed['revision'] === server.revision && proposed['deleted'] === server.deleted && sameContent(proposed, server);
  if (replay) return undefined;
  if (rules.role === 'viewer') return reject(id, 'FORBIDDEN', 'Viewers can read this workspace but not change it');
  if (collection.name === 'tasks') {
    // Adding, editing or deleting a task of an archived list is refused. Moving a task
    // out of one is allowed (its new list is what counts), and a tombstone for a task the
    // server never had changes nothing (a discarded, refused insert).
    const listId = String(proposed['listId']);
    const touchesNothing = !server && proposed['deleted'] === true;
    if (rules.archivedListIds.has(listId) && !touchesNothing) {
      return reject(id, 'LIST_ARCHIVED', 'The list is archived: its tasks cannot be added or changed', [
        { field: 'listId', message: 'listId is an archived list' },
      ]);
    }
  }
  if (collection.name === 'lists') {
    const archiving = (proposed['archived'] === true) !== (server ? server['archived'] === true : false);
    if (archiving && rules.role !== null && rules.role !== 'owner') {
      return reject(id, 'FORBIDDEN', 'Only an owner of the workspace can archive or unarchive a list', [
        { field: 'archived', message: 'archived can only be changed by an owner' },
      ]);
    }
  }
  if (collection.name === 'comments' && server) {
    // Append-only: a comment never changes after it is written; only its removal is allowed.
    const removal = proposed['deleted'] === true && sameContent(proposed, { ...server, deleted: true });
    if (!removal) {
      return reject(id, 'FORBIDDEN', 'Comments cannot be edited once posted', [{ field: 'body', message: 'body cannot be changed' }]);
    }
  }
  return undefined;
}

/**
 * The server's truth, read over GraphQL as any member would: every document of every
 * collection (tombstones included) by paging the pull operation from no checkpoint, and
 * a document's accepted revisions from `history`.
 */
import { COLLECTIONS, type CollectionName } from '../../src/shared/collections';
import { pullQuery } from '../../src/shared/operations';
import { graphql } from '../harness';
import type { WireDocument } from './node-client';

export type ServerDocuments = Record<CollectionName, Map<string, WireDocument>>;

/** Every document on the server. Throws on a duplicate id across pages (a pull that repeats itself). */
export async function serverDocuments(url: string, workspaceId: string, token: string): Promise<ServerDocuments> {
  const result = {} as ServerDocuments;
  for (const definition of COLLECTIONS) {
    const documents = new Map<string, WireDocument>();
    let checkpoint: unknown = null;
    for (;;) {
      const field = `pull${definition.plural}`;
      const data = await graphql<Record<string, { documents: WireDocument[]; checkpoint: unknown }>>(
        url, pullQuery(definition), { workspaceId, checkpoint, limit: 500 }, token);
      const batch = data[field]!;
      for (const doc of batch.documents) {
        if (documents.has(doc.id)) throw new Error(`the server's pull returned ${definition.name}:${doc.id} twice`);
        documents.set(doc.id, doc);
      }
      if (batch.documents.length === 0) break;
      checkpoint = batch.checkpoint;
    }
    result[definition.name] = documents;
  }
  return result;
}

/** One accepted revision, with every field's value as text (the history's own rendering). */
export interface RevisionState {
  readonly revision: number;
  readonly updatedBy: string | null;
  readonly deleted: boolean;
  readonly fields: ReadonlyMap<string, string | null>;
}

interface HistoryRow {
  revision: number;
  updatedBy: string | null;
  deleted: boolean;
  changes: { field: string; to: string | null }[];
}

/** The document's accepted revisions, oldest first, each as a full state rebuilt from the changes. */
export async function serverHistory(url: string, workspaceId: string, collection: CollectionName, id: string, token: string): Promise<RevisionState[]> {
  const { history } = await graphql<{ history: HistoryRow[] }>(url,
    'query($w: ID!, $c: CollectionName!, $id: ID!) { history(workspaceId: $w, collection: $c, id: $id) { revision updatedBy deleted changes { field to } } }',
    { w: workspaceId, c: collection, id }, token);
  const fields = new Map<string, string | null>();
  return history.map((row) => {
    for (const change of row.changes) fields.set(change.field, change.to);
    return { revision: row.revision, updatedBy: row.updatedBy, deleted: row.deleted, fields: new Map(fields) };
  });
}

/** A value as the history renders it. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

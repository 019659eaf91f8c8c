/**
 * What must hold once a run has quiesced (faults off, everyone online, every outbox
 * settled or holding only records that need the person):
 *
 * - no lost acknowledged write: the last value each client wrote to each field is in an
 *   accepted revision by that client on the server, or is the server's current value
 *   (another client made the same change first, so the merge had nothing left to push),
 *   or the record sits visibly in that client's outbox as needs review or rejected;
 * - convergence: every client's documents equal the server's (records the client holds
 *   for review or as rejected aside);
 * - no resurrected delete: a document deleted on the server is deleted everywhere (no
 *   client resolves reviews in a run, so nothing may legitimately restore it);
 * - no duplicates: the server holds exactly the documents clients created, once each.
 */
import { COLLECTIONS, type CollectionName } from '../../src/shared/collections';
import type { OutboxEntry } from '../../src/app/sync/queue/outbox-entry';
import type { LoggedWrite } from './operations';
import type { WireDocument } from './node-client';
import { asText, serverHistory, type RevisionState, type ServerDocuments } from './server-state';

/** States in which an outbox entry shows the person their version (nothing more will sync by itself). */
export const HELD_STATES: ReadonlySet<OutboxEntry['state']> = new Set(['review', 'rejected']);

export interface ClientSnapshot {
  readonly name: string;
  readonly userId: string;
  readonly documents: Record<CollectionName, WireDocument[]>;
  readonly entries: readonly OutboxEntry[];
  readonly writes: readonly LoggedWrite[];
}

const SERVER_STAMPED = new Set(['updatedAt', 'updatedBy']);

/** Differences between a client's copy and the server's; empty when converged. */
export function divergence(client: ClientSnapshot, server: ServerDocuments): string[] {
  const held = new Set(client.entries.filter((e) => HELD_STATES.has(e.state)).map((e) => e.key));
  const problems: string[] = [];
  for (const { name } of COLLECTIONS) {
    const local = new Map(client.documents[name].map((d) => [d.id, d]));
    for (const [id, theirs] of server[name]) {
      if (held.has(`${name}:${id}`)) continue;
      const mine = local.get(id);
      if (!mine) {
        if (!theirs.deleted) problems.push(`${client.name} lacks ${name}:${id}`);
        continue;
      }
      const differing = Object.keys(theirs).filter((f) => !SERVER_STAMPED.has(f) && asText(mine[f]) !== asText(theirs[f]));
      if (differing.length > 0) {
        problems.push(`${client.name} ${name}:${id} differs in ${differing.map((f) => `${f} (${asText(mine[f])} vs server ${asText(theirs[f])})`).join(', ')}`);
      }
    }
    for (const [id, mine] of local) {
      if (!server[name].has(id) && !held.has(`${name}:${id}`)) problems.push(`${client.name} has ${name}:${id}${mine.deleted ? ' (deleted)' : ''}, unknown to the server`);
    }
  }
  return problems;
}

/** Deleted on the server but live on a client. */
export function resurrected(clients: readonly ClientSnapshot[], server: ServerDocuments): string[] {
  const problems: string[] = [];
  for (const client of clients) {
    for (const { name } of COLLECTIONS) {
      for (const doc of client.documents[name]) {
        if (server[name].get(doc.id)?.deleted && !doc.deleted) problems.push(`${client.name} shows ${name}:${doc.id}, deleted on the server`);
      }
    }
  }
  return problems;
}

/** Documents the server holds that no client created, and created ones it lacks without a visible refusal. */
export function unexpectedDocuments(clients: readonly ClientSnapshot[], server: ServerDocuments, seeded: ReadonlySet<string>): string[] {
  const created = new Map<string, ClientSnapshot>();
  for (const client of clients) for (const w of client.writes) if (w.kind === 'create' || w.kind === 'comment') created.set(`${w.collection}:${w.id}`, client);
  const problems: string[] = [];
  for (const { name } of COLLECTIONS) {
    for (const id of server[name].keys()) {
      if (!created.has(`${name}:${id}`) && !seeded.has(`${name}:${id}`)) problems.push(`the server holds ${name}:${id}, which no client created`);
    }
  }
  return problems;
}

/**
 * Lost writes: for each client, document and field, the last value it wrote must be in
 * an accepted revision by that client (or the record is held visibly in its outbox).
 */
export async function lostWrites(client: ClientSnapshot, history: HistoryReader, server: ServerDocuments): Promise<string[]> {
  const held = new Set(client.entries.filter((e) => HELD_STATES.has(e.state)).map((e) => e.key));
  const last = new Map<string, { collection: CollectionName; id: string; fields: Map<string, unknown>; deleted: boolean }>();
  for (const write of client.writes) {
    const key = `${write.collection}:${write.id}`;
    const entry = last.get(key) ?? { collection: write.collection, id: write.id, fields: new Map(), deleted: false };
    for (const [field, value] of Object.entries(write.fields)) entry.fields.set(field, value);
    if (write.kind === 'delete') entry.deleted = true;
    last.set(key, entry);
  }
  const problems: string[] = [];
  for (const [key, written] of last) {
    if (held.has(key)) continue;
    const revisions = await history(written.collection, written.id);
    const mine = revisions.filter((r) => r.updatedBy === client.userId);
    if (written.deleted) {
      if (!revisions.some((r) => r.deleted)) problems.push(`${client.name}'s delete of ${key} is not on the server and not held`);
      continue;
    }
    const current = server[written.collection].get(written.id);
    for (const [field, value] of written.fields) {
      if (current && asText(current[field]) === asText(value)) continue;
      if (!mine.some((r) => r.fields.get(field) === asText(value))) {
        problems.push(`${client.name}'s ${field}=${JSON.stringify(value)} on ${key} is in no accepted revision of theirs and not held`);
      }
    }
  }
  return problems;
}

export type HistoryReader = (collection: CollectionName, id: string) => Promise<RevisionState[]>;

/** A history reader that asks the server once per document. */
export function historyReader(url: string, workspaceId: string, token: string): HistoryReader {
  const cache = new Map<string, Promise<RevisionState[]>>();
  return (collection, id) => {
    const key = `${collection}:${id}`;
    let found = cache.get(key);
    if (!found) {
      found = serverHistory(url, workspaceId, collection, id, token);
      cache.set(key, found);
    }
    return found;
  };
}

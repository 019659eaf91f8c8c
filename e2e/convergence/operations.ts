/**
 * The random operations a Node client performs, written to its RxDB collections the way
 * the app's stores write them (insert, incrementalPatch, incrementalRemove), so the
 * database's revision hook and the outbox see ordinary local writes. Each write is
 * logged (collection, id, the fields and values written) and read back at once from the
 * client's own collection: read-your-writes.
 */
import { TASK_PRIORITIES, TASK_STATUSES, type CollectionName, type ListDoc, type TaskDoc } from '../../src/shared/collections';
import { uuidv7 } from '../../src/shared/uuid';
import type { NodeClient } from './node-client';
import type { Prng } from './prng';

/** One local write as the client made it: what must end up on the server or visibly held. */
export interface LoggedWrite {
  readonly client: string;
  readonly collection: CollectionName;
  readonly id: string;
  readonly kind: 'create' | 'edit' | 'delete' | 'comment' | 'archive';
  /** Fields written and their values; empty for a delete. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The local revision the write produced. */
  readonly revision: number;
}

export const OPERATION_KINDS = ['createTask', 'editTask', 'deleteTask', 'comment', 'renameList', 'archiveList', 'createList'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

const WEIGHTS: Readonly<Record<OperationKind, number>> = {
  createTask: 5, editTask: 8, deleteTask: 2, comment: 3, renameList: 1, archiveList: 1, createList: 1,
};

export function pickOperation(rng: Prng): OperationKind {
  const total = OPERATION_KINDS.reduce((sum, k) => sum + WEIGHTS[k], 0);
  let roll = rng.next() * total;
  for (const kind of OPERATION_KINDS) {
    roll -= WEIGHTS[kind];
    if (roll < 0) return kind;
  }
  return 'editTask';
}

type Doc = { id: string; revision: number; toJSON(): unknown; incrementalPatch(p: object): Promise<{ revision: number }>; incrementalRemove(): Promise<unknown> };

/** Performs one operation; returns the write it made, or undefined when there was nothing to act on. */
export async function performOperation(client: NodeClient, kind: OperationKind, rng: Prng, serial: number, workspaceId: string): Promise<LoggedWrite | undefined> {
  const db = client.db;
  const name = client.identity.name;
  const now = new Date().toISOString();
  const stamp = `${name}-${serial}`;
  const lists = (await db.lists.find().exec()) as unknown as Doc[];
  const tasks = (await db.tasks.find().exec()) as unknown as Doc[];
  switch (kind) {
    case 'createList': {
      const doc: ListDoc = { id: uuidv7(), workspaceId, revision: 1, updatedAt: now, updatedBy: null, name: `List ${stamp}`, archived: false, createdAt: now };
      await db.lists.insert(doc);
      return readBack(client, { client: name, collection: 'lists', id: doc.id, kind: 'create', fields: { name: doc.name, archived: false }, revision: 1 });
    }
    case 'createTask': {
      if (lists.length === 0) return undefined;
      const list = rng.pick(lists);
      const doc: TaskDoc = {
        id: uuidv7(), workspaceId, revision: 1, updatedAt: now, updatedBy: null, listId: list.id, title: `Task ${stamp}`, notes: '',
        status: 'todo', priority: 'none', dueAt: null, assigneeId: null, createdAt: now,
      };
      await db.tasks.insert(doc);
      return readBack(client, { client: name, collection: 'tasks', id: doc.id, kind: 'create', fields: { title: doc.title, listId: list.id }, revision: 1 });
    }
    case 'editTask': {
      if (tasks.length === 0) return undefined;
      const task = rng.pick(tasks);
      const patch: Record<string, unknown> = {};
      if (rng.chance(0.4)) patch['title'] = `Title ${stamp}`;
      if (rng.chance(0.4)) patch['notes'] = `Notes ${stamp}`;
      if (rng.chance(0.5)) patch['status'] = rng.pick(TASK_STATUSES);
      if (rng.chance(0.3)) patch['priority'] = rng.pick(TASK_PRIORITIES);
      if (rng.chance(0.2)) patch['dueAt'] = `2027-0${rng.int(1, 9)}-1${rng.int(0, 9)}`;
      if (Object.keys(patch).length === 0) patch['status'] = rng.pick(TASK_STATUSES);
      const written = await task.incrementalPatch(patch);
      return readBack(client, { client: name, collection: 'tasks', id: task.id, kind: 'edit', fields: patch, revision: written.revision });
    }
    case 'deleteTask': {
      if (tasks.length === 0) return undefined;
      const task = rng.pick(tasks);
      const revision = task.revision + 1;
      await task.incrementalRemove();
      return readBack(client, { client: name, collection: 'tasks', id: task.id, kind: 'delete', fields: {}, revision });
    }
    case 'comment': {
      if (tasks.length === 0) return undefined;
      const task = rng.pick(tasks);
      const id = uuidv7();
      await db.comments.insert({ id, workspaceId, revision: 1, updatedAt: now, updatedBy: null, taskId: task.id, body: `Comment ${stamp}`, createdAt: now });
      return readBack(client, { client: name, collection: 'comments', id, kind: 'comment', fields: { body: `Comment ${stamp}` }, revision: 1 });
    }
    case 'renameList': {
      if (lists.length === 0) return undefined;
      const list = rng.pick(lists);
      const written = await list.incrementalPatch({ name: `List ${stamp}` });
      return readBack(client, { client: name, collection: 'lists', id: list.id, kind: 'edit', fields: { name: `List ${stamp}` }, revision: written.revision });
    }
    case 'archiveList': {
      if (lists.length === 0) return undefined;
      const list = rng.pick(lists);
      const archived = !(list.toJSON() as ListDoc).archived;
      const written = await list.incrementalPatch({ archived });
      return readBack(client, { client: name, collection: 'lists', id: list.id, kind: 'archive', fields: { archived }, revision: written.revision });
    }
  }
}

/** Read-your-writes: the client's own query shows the write the moment it returns. */
async function readBack(client: NodeClient, write: LoggedWrite): Promise<LoggedWrite> {
  const collection = client.db[write.collection] as unknown as { findOne(id: string): { exec(): Promise<{ toJSON(): Record<string, unknown> } | null> } };
  const doc = await collection.findOne(write.id).exec();
  if (write.kind === 'delete') {
    if (doc) client.violations.push(`${write.client}: deleted ${write.collection}:${write.id} still shows in its own query`);
    return write;
  }
  const shown = doc?.toJSON();
  for (const [field, value] of Object.entries(write.fields)) {
    if (shown?.[field] !== value) {
      client.violations.push(`${write.client}: wrote ${field}=${JSON.stringify(value)} on ${write.collection}:${write.id} but its own query shows ${JSON.stringify(shown?.[field])}`);
    }
  }
  return write;
}

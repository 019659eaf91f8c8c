/**
 * Puts documents on the server through its public GraphQL push API, as any client would.
 */
import { DEFAULT_WORKSPACE_ID, type ListDoc, type TaskDoc, type WireDoc } from '../../src/shared/collections';
import { selectionOf } from '../../src/shared/graphql-sdl';
import { COLLECTIONS } from '../../src/shared/collections';
import { uuidv7 } from '../../src/shared/uuid';

export const WORKSPACE_ID = DEFAULT_WORKSPACE_ID;
export const TASK_FIELDS = selectionOf(COLLECTIONS[1]);
const SEED_BATCH = 1000;

import { graphql as gql } from '../../e2e/harness';

export { gql };

const PUSH_TASKS = `mutation Push($workspaceId: ID!, $rows: [TaskPushRow!]!) {
  pushTasks(workspaceId: $workspaceId, rows: $rows) { conflicts { id } rejections { id code message } }
}`;
const PUSH_LISTS = `mutation Push($workspaceId: ID!, $rows: [ListPushRow!]!) {
  pushLists(workspaceId: $workspaceId, rows: $rows) { conflicts { id } rejections { id code message } }
}`;

type PushOutcome = { conflicts: unknown[]; rejections: unknown[] };

export async function pushTaskRows(url: string, rows: readonly { assumedMasterState: WireDoc<TaskDoc> | null; newDocumentState: WireDoc<TaskDoc> }[]): Promise<void> {
  const data = await gql<{ pushTasks: PushOutcome }>(url, PUSH_TASKS, { workspaceId: WORKSPACE_ID, rows });
  if (data.pushTasks.conflicts.length || data.pushTasks.rejections.length) {
    throw new Error(`seed push refused: ${JSON.stringify(data.pushTasks).slice(0, 300)}`);
  }
}

export function makeTask(listId: string, n: number): WireDoc<TaskDoc> {
  const now = new Date().toISOString();
  return {
    id: uuidv7(), workspaceId: WORKSPACE_ID, revision: 1, updatedAt: now, updatedBy: null, listId,
    title: `Task ${n}: check the pallet labels in aisle ${n % 40}`,
    notes: n % 3 === 0 ? 'Bring the scanner; the second shelf is hard to reach.' : '',
    status: (['todo', 'doing', 'done'] as const)[n % 3]!, priority: (['none', 'low', 'medium', 'high'] as const)[n % 4]!,
    dueAt: n % 5 === 0 ? '2026-12-01' : null, assigneeId: null, createdAt: now, deleted: false,
  };
}

/** The workspace's one list plus the tasks seeded so far (kept for edits). */
export class Seeder {
  readonly tasks: WireDoc<TaskDoc>[] = [];
  listId = '';

  constructor(private readonly url: string) {}

  async createList(): Promise<void> {
    const now = new Date().toISOString();
    const list: WireDoc<ListDoc> = { id: uuidv7(), workspaceId: WORKSPACE_ID, revision: 1, updatedAt: now, updatedBy: null,
      name: 'Warehouse', archived: false, createdAt: now, deleted: false };
    const data = await gql<{ pushLists: PushOutcome }>(this.url, PUSH_LISTS, { workspaceId: WORKSPACE_ID, rows: [{ assumedMasterState: null, newDocumentState: list }] });
    if (data.pushLists.conflicts.length || data.pushLists.rejections.length) throw new Error('list seed refused');
    this.listId = list.id;
  }

  /** Adds tasks until the workspace holds `total`. */
  async growTo(total: number): Promise<void> {
    if (!this.listId) await this.createList();
    while (this.tasks.length < total) {
      const batch: WireDoc<TaskDoc>[] = [];
      while (batch.length < SEED_BATCH && this.tasks.length + batch.length < total) batch.push(makeTask(this.listId, this.tasks.length + batch.length));
      await pushTaskRows(this.url, batch.map((doc) => ({ assumedMasterState: null, newDocumentState: doc })));
      this.tasks.push(...batch);
    }
  }

  /** Takes the server's current states of tasks other clients changed (so later edits assume the right revision). */
  absorb(states: readonly WireDoc<TaskDoc>[]): void {
    const byId = new Map(states.map((doc) => [doc.id, doc]));
    this.tasks.forEach((doc, i) => (this.tasks[i] = byId.get(doc.id) ?? doc));
  }

  /** Edits `count` existing tasks in one push (one change seq); returns the new states. */
  async edit(count: number, offset = 0): Promise<void> {
    const rows = this.tasks.slice(offset, offset + count).map((doc) => {
      const next = { ...doc, revision: doc.revision + 1, title: `${doc.title.split(' ·')[0]} · r${doc.revision + 1}` };
      return { assumedMasterState: doc, newDocumentState: next };
    });
    await pushTaskRows(this.url, rows);
    rows.forEach((row, i) => (this.tasks[offset + i] = row.newDocumentState));
  }
}

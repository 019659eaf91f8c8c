/**
 * What the server holds, read from Node the way another client of the endpoint would
 * (as the test server's observer): the tasks of the default workspace and a task's
 * history of accepted revisions.
 */
import { graphql } from './harness';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';

export interface ServerTask {
  readonly id: string;
  readonly title: string;
  readonly notes: string;
  readonly revision: number;
  readonly deleted: boolean;
}

export async function serverTasks(url: string): Promise<ServerTask[]> {
  const tasks: ServerTask[] = [];
  let checkpoint: unknown = null;
  for (;;) {
    const data = await graphql<{ pullTasks: { documents: ServerTask[]; checkpoint: unknown } }>(url,
      `query($w: ID!, $c: CheckpointInput) { pullTasks(workspaceId: $w, checkpoint: $c, limit: 1000) {
        documents { id title notes revision deleted } checkpoint { seq id } } }`,
      { w: DEFAULT_WORKSPACE_ID, c: checkpoint });
    tasks.push(...data.pullTasks.documents);
    if (data.pullTasks.documents.length < 1000) return tasks;
    checkpoint = data.pullTasks.checkpoint;
  }
}

export interface ServerRevision {
  readonly revision: number;
  readonly changes: readonly { field: string; to: string | null }[];
}

/** Every revision of the task the server accepted, oldest first. */
export async function taskHistory(url: string, id: string): Promise<ServerRevision[]> {
  const data = await graphql<{ history: ServerRevision[] }>(url,
    `query($w: ID!, $id: ID!) { history(workspaceId: $w, collection: tasks, id: $id) { revision changes { field to } } }`,
    { w: DEFAULT_WORKSPACE_ID, id });
  return data.history;
}

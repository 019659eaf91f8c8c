/**
 * Sets up what a fuzz run aims at: a victim and an attacker, each signed up and owning a
 * workspace of their own with lists, tasks (some edited, one deleted) and comments.
 */
import { COLLECTIONS, type CollectionName } from '../../src/shared/collections';
import { pullQuery, pushMutation } from '../../src/shared/operations';
import { uuidv7 } from '../../src/shared/uuid';
import { gql, signUpUser, type TestUser } from '../test-support';
import type { FuzzTargets } from './fuzz-case';

export interface Tenant {
  readonly user: TestUser;
  readonly workspaceId: string;
  readonly ids: Record<CollectionName, string[]>;
}

export interface FuzzSetup {
  readonly targets: FuzzTargets;
  readonly victim: Tenant;
  readonly attacker: Tenant;
}

async function call(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<Record<string, any>> {
  const answer = await gql(url, query, variables, token);
  if (!answer.data || answer.errors?.length) throw new Error(`setup call failed (${answer.status}): ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** Pushes rows and insists every one was accepted. */
export async function pushAccepted(url: string, token: string, collection: CollectionName, workspaceId: string, rows: unknown[]): Promise<void> {
  const c = COLLECTIONS.find((d) => d.name === collection)!;
  const data = await call(url, pushMutation(c), { workspaceId, rows }, token);
  const result = data[`push${c.plural}`] as { conflicts: unknown[]; rejections: unknown[] };
  if (result.conflicts.length + result.rejections.length > 0) throw new Error(`push refused: ${JSON.stringify(result)}`);
}

async function tenant(url: string, name: string): Promise<Tenant> {
  const user = await signUpUser(url);
  const workspace = await call(url, 'mutation($n: String!) { createWorkspace(name: $n) { id } }', { n: name }, user.accessToken);
  const workspaceId = workspace['createWorkspace'].id as string;
  const stamp = { workspaceId, revision: 1, createdAt: '2025-01-01T00:00:00.000Z', deleted: false };
  const lists = Array.from({ length: 3 }, (_, i) => ({ ...stamp, id: uuidv7(), name: `${name} list ${i}`, archived: i === 2 }));
  const tasks = Array.from({ length: 6 }, (_, i) => ({
    ...stamp, id: uuidv7(), listId: lists[i % 2]!.id, title: `${name} task ${i}`, notes: 'seeded', status: 'todo',
    priority: 'none', dueAt: null, assigneeId: null,
  }));
  const comments = tasks.slice(0, 3).map((task, i) => ({ ...stamp, id: uuidv7(), taskId: task.id, body: `${name} comment ${i}` }));
  const token = user.accessToken;
  await pushAccepted(url, token, 'lists', workspaceId, lists.map((doc) => ({ assumedMasterState: null, newDocumentState: doc })));
  await pushAccepted(url, token, 'tasks', workspaceId, tasks.map((doc) => ({ assumedMasterState: null, newDocumentState: doc })));
  await pushAccepted(url, token, 'comments', workspaceId, comments.map((doc) => ({ assumedMasterState: null, newDocumentState: doc })));
  // Some history: an edit and a tombstone.
  await pushAccepted(url, token, 'tasks', workspaceId, [
    { assumedMasterState: tasks[0], newDocumentState: { ...tasks[0], status: 'doing', revision: 2 } },
    { assumedMasterState: tasks[1], newDocumentState: { ...tasks[1], deleted: true, revision: 2 } },
  ]);
  return { user, workspaceId, ids: { lists: lists.map((d) => d.id), tasks: tasks.map((d) => d.id), comments: comments.map((d) => d.id) } };
}

/** Every document of a workspace as the server answers it, as JSON text by collection and id. */
export async function snapshotWorkspace(url: string, token: string, workspaceId: string): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const c of COLLECTIONS) {
    let checkpoint: unknown = null;
    for (;;) {
      const data = await call(url, pullQuery(c), { workspaceId, checkpoint, limit: 1000 }, token);
      const batch = data[`pull${c.plural}`] as { documents: { id: string }[]; checkpoint: unknown };
      for (const doc of batch.documents) snapshot.set(`${c.name}/${doc.id}`, JSON.stringify(doc));
      if (batch.documents.length < 1000) break;
      checkpoint = batch.checkpoint;
    }
  }
  return snapshot;
}

export async function prepareTargets(url: string): Promise<FuzzSetup> {
  const victim = await tenant(url, 'Victim');
  const attacker = await tenant(url, 'Attacker');
  const pulled = await call(url, pullQuery(COLLECTIONS[1]), { workspaceId: victim.workspaceId, checkpoint: null, limit: 1000 }, victim.user.accessToken);
  const victimSeq = (pulled['pullTasks'].checkpoint as { seq: number }).seq;
  return {
    victim,
    attacker,
    targets: {
      attackerToken: attacker.user.accessToken,
      attackerWorkspaceId: attacker.workspaceId,
      victimWorkspaceId: victim.workspaceId,
      attackerIds: attacker.ids,
      victimIds: victim.ids,
      victimSeq,
    },
  };
}

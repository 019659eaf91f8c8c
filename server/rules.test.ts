/**
 * Server rules of issue 5 over the real endpoint, signed in as workspace members:
 * typed refusals next to conflicts, archived lists, owner-only archiving, append-only
 * comments and per-document history. Runs on PGlite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COLLECTIONS } from '../src/shared/collections';
import { pushMutation } from '../src/shared/operations';
import { BACKENDS, edited, gql, newList, newTask, signUpUser, startTestServer, WORKSPACE, type TestServer, type TestUser } from './test-support';
import { uuidv7 } from '../src/shared/uuid';

const [listsC, tasksC, commentsC] = COLLECTIONS;

const HISTORY = `query($w: ID!, $c: CollectionName!, $id: ID!) {
  history(workspaceId: $w, collection: $c, id: $id) { revision updatedBy updatedByEmail deleted changes { field from to } }
}`;

for (const backend of BACKENDS) {
  describe(`server rules on ${backend.name}`, () => {
    let server: TestServer;
    let owner: TestUser;
    let member: TestUser;

    before(async () => {
      server = await startTestServer(backend);
      owner = await signUpUser(server.url);
      member = await signUpUser(server.url);
    });
    after(async () => server?.dispose());

    async function push(c: (typeof COLLECTIONS)[number], rows: unknown[], user: TestUser) {
      const answer = await gql(server.url, pushMutation(c), { workspaceId: WORKSPACE, rows }, user.accessToken);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return answer.data![`push${c.plural}`] as { conflicts: Record<string, unknown>[]; refused: Record<string, unknown>[]; rejections: { id: string; code: string; message: string; fields: { field: string }[] }[] };
    }

    it('lets only an owner archive a list; then refuses task writes in it with LIST_ARCHIVED, beside conflicts', async () => {
      const list = newList({ name: 'Roof' });
      const other = newList({ name: 'Basement' });
      assert.deepEqual((await push(listsC, [{ newDocumentState: list }, { newDocumentState: other }], member)).rejections, []);
      const task = newTask({ listId: list['id'], title: 'Patch leak' });
      const stale = newTask({ listId: other['id'], title: 'Stale one' });
      await push(tasksC, [{ newDocumentState: task }, { newDocumentState: stale }], member);
      await push(tasksC, [{ assumedMasterState: stale, newDocumentState: edited(stale, { status: 'done' }) }], owner);

      const archived = edited(list, { archived: true });
      const byMember = await push(listsC, [{ assumedMasterState: list, newDocumentState: archived }], member);
      assert.equal(byMember.rejections[0]?.code, 'FORBIDDEN');
      assert.deepEqual(byMember.rejections[0]?.fields.map((f) => f.field), ['archived']);
      assert.deepEqual((await push(listsC, [{ assumedMasterState: list, newDocumentState: archived }], owner)).rejections, []);

      const added = newTask({ listId: list['id'], title: 'New in archived' });
      const answer = await push(tasksC, [
        { newDocumentState: added },
        { assumedMasterState: task, newDocumentState: edited(task, { title: 'Edited in archived' }) },
        { assumedMasterState: stale, newDocumentState: edited(stale, { notes: 'late' }) },
      ], member);
      assert.deepEqual(answer.rejections.map((r) => [r.id, r.code]), [[added['id'], 'LIST_ARCHIVED'], [task['id'], 'LIST_ARCHIVED']]);
      assert.deepEqual(answer.rejections[0]!.fields.map((f) => f.field), ['listId']);
      // The refused edit comes with the server's truth; the refused insert has none.
      assert.deepEqual(answer.refused.map((d) => [d['id'], d['title'], d['revision']]), [[task['id'], 'Patch leak', 1]]);
      assert.equal(answer.conflicts.length, 1, 'the stale row is a conflict, not a refusal');
      assert.equal(answer.conflicts[0]!['status'], 'done');

      // Moving the refused task to a live list is accepted, and so is the edit moved out.
      const moved = await push(tasksC, [
        { newDocumentState: { ...added, listId: other['id'] } },
        { assumedMasterState: task, newDocumentState: edited(task, { title: 'Edited, moved', listId: other['id'] }) },
      ], member);
      assert.deepEqual(moved, { conflicts: [], rejections: [], refused: [] });

      // Unarchived by the owner: tasks can be added again.
      await push(listsC, [{ assumedMasterState: archived, newDocumentState: edited(archived, { archived: false }) }], owner);
      assert.deepEqual((await push(tasksC, [{ newDocumentState: newTask({ listId: list['id'] }) }], member)).rejections, []);
    });

    it('keeps comments append-only: posted once, never edited, removable', async () => {
      const task = newTask();
      await push(tasksC, [{ newDocumentState: task }], member);
      const comment = { id: uuidv7(), workspaceId: WORKSPACE, revision: 1, taskId: task['id'], body: 'Valve is stuck', createdAt: '2025-01-01T00:00:00.000Z', deleted: false };
      assert.deepEqual(await push(commentsC, [{ newDocumentState: comment }], member), { conflicts: [], rejections: [], refused: [] });
      const edit = await push(commentsC, [{ assumedMasterState: comment, newDocumentState: edited(comment, { body: 'changed' }) }], owner);
      assert.equal(edit.rejections[0]?.code, 'FORBIDDEN');
      const empty = await push(commentsC, [{ newDocumentState: { ...comment, id: uuidv7(), body: '  ' } }], member);
      assert.equal(empty.rejections[0]?.code, 'VALIDATION');
      assert.deepEqual((await push(commentsC, [{ assumedMasterState: comment, newDocumentState: edited(comment, { deleted: true }) }], member)).rejections, []);
      const pulled = await gql(server.url, `query($w: ID!) { pullComments(workspaceId: $w, checkpoint: null, limit: 100) { documents { id body deleted updatedBy } } }`, { w: WORKSPACE }, member.accessToken);
      const doc = pulled.data!['pullComments'].documents.find((d: { id: string }) => d.id === comment.id);
      assert.deepEqual(doc, { id: comment.id, body: 'Valve is stuck', deleted: true, updatedBy: member.id });
    });

    it('keeps every accepted revision with its author and changed fields', async () => {
      const task = newTask({ title: 'Inspect boiler' });
      const second = edited(task, { status: 'doing' });
      const third = edited(second, { title: 'Inspect boiler 2', notes: 'north wing' });
      await push(tasksC, [{ newDocumentState: task }], member);
      await push(tasksC, [{ assumedMasterState: task, newDocumentState: second }], owner);
      await push(tasksC, [{ assumedMasterState: task, newDocumentState: edited(task, { title: 'stale' }) }], member);
      await push(tasksC, [{ assumedMasterState: second, newDocumentState: third }], member);
      await push(tasksC, [{ assumedMasterState: third, newDocumentState: edited(third, { deleted: true }) }], owner);

      const answer = await gql(server.url, HISTORY, { w: WORKSPACE, c: 'tasks', id: task['id'] }, member.accessToken);
      const revisions = answer.data!['history'] as { revision: number; updatedByEmail: string; deleted: boolean; changes: { field: string; from: string | null; to: string | null }[] }[];
      assert.deepEqual(revisions.map((r) => [r.revision, r.updatedByEmail, r.deleted]), [
        [1, member.email, false], [2, owner.email, false], [3, member.email, false], [4, owner.email, true],
      ]);
      assert.deepEqual(revisions[1]!.changes, [{ field: 'status', from: 'todo', to: 'doing' }]);
      assert.deepEqual(revisions[2]!.changes, [
        { field: 'title', from: 'Inspect boiler', to: 'Inspect boiler 2' }, { field: 'notes', from: '', to: 'north wing' },
      ]);
      assert.deepEqual(revisions[3]!.changes, [{ field: 'deleted', from: 'false', to: 'true' }]);
      assert.ok(revisions[0]!.changes.some((c) => c.field === 'title' && c.to === 'Inspect boiler'));

      // One push writing several documents records each of them.
      const pair = [newTask({ title: 'One' }), newTask({ title: 'Two' })];
      await push(tasksC, pair.map((t) => ({ newDocumentState: t })), member);
      for (const t of pair) {
        const h = await gql(server.url, HISTORY, { w: WORKSPACE, c: 'tasks', id: t['id'] }, member.accessToken);
        assert.deepEqual(h.data!['history'].map((r: { revision: number }) => r.revision), [1]);
      }

      const unknown = await gql(server.url, HISTORY, { w: WORKSPACE, c: 'tasks', id: uuidv7() }, member.accessToken);
      assert.deepEqual(unknown.data!['history'], []);
      const badCollection = await gql(server.url, HISTORY, { w: WORKSPACE, c: 'users', id: uuidv7() }, member.accessToken);
      assert.match(badCollection.errors?.[0]?.message ?? '', /CollectionName/);
      assert.ok(badCollection.status < 500, `status ${badCollection.status}`);
    });
  });
}

/**
 * Idempotent pushes over HTTP: a push carrying a write id (`Idempotency-Key`) applies
 * once however often it arrives: replayed after success, retried after the client gave
 * up waiting, or duplicated while the first is still in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COLLECTIONS } from '../src/shared/collections';
import { pushMutation } from '../src/shared/operations';
import { uuidv7 } from '../src/shared/uuid';
import { BACKENDS, edited, newTask, signUpUser, startTestServer, WORKSPACE, type TestServer, type TestUser } from './test-support';
import type { SqlStore } from './store/sql-store';

const PUSH_TASKS = pushMutation(COLLECTIONS.find((c) => c.name === 'tasks')!);

for (const backend of BACKENDS) {
  describe(`idempotent pushes on ${backend.name}`, () => {
    let test: TestServer;
    let user: TestUser;

    before(async () => {
      test = await startTestServer(backend);
      user = await signUpUser(test.url);
    });
    after(() => test?.dispose());

    async function push(rows: unknown[], writeId: string | undefined, signal?: AbortSignal) {
      const response = await fetch(`${test.url}/graphql`, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${user.accessToken}`,
          ...(writeId ? { 'idempotency-key': writeId } : {}),
        },
        body: JSON.stringify({ query: PUSH_TASKS, variables: { workspaceId: WORKSPACE, rows } }),
      });
      return (await response.json()) as { data?: { pushTasks: unknown }; errors?: { extensions?: { code?: string } }[] };
    }

    async function current(id: string) {
      const page = await test.server.store.pull('tasks', WORKSPACE, null, 1000);
      return page.documents.find((d) => d.id === id);
    }

    const seq = () => test.server.store.currentSeq(WORKSPACE);

    it('a replay after success applies nothing and gives the first answer, even after another edit', async () => {
      const task = newTask();
      await push([{ newDocumentState: task }], uuidv7());
      const edit = { assumedMasterState: task, newDocumentState: edited(task, { title: 'Mine' }) };
      const writeId = uuidv7();
      const first = await push([edit], writeId);
      assert.deepEqual(first.data?.pushTasks, { conflicts: [], rejections: [], refused: [] });
      // Someone else edits after us: without the receipt the replay would now be a conflict.
      const theirs = edited(edit.newDocumentState, { title: 'Theirs' });
      await push([{ assumedMasterState: edit.newDocumentState, newDocumentState: theirs }], uuidv7());
      const before = await seq();

      const replay = await push([edit], writeId);
      assert.deepEqual(replay, first);
      assert.equal(await seq(), before, 'the replay wrote nothing');
      const doc = await current(task['id'] as string);
      assert.equal(doc?.title, 'Theirs');
      assert.equal(doc?.revision, 3);
    });

    it('duplicates in flight at the same time apply once and all get the same answer', async () => {
      const task = newTask();
      await push([{ newDocumentState: task }], uuidv7());
      const before = await seq();
      const edit = { assumedMasterState: task, newDocumentState: edited(task, { title: 'Once' }) };
      const writeId = uuidv7();
      const answers = await Promise.all(Array.from({ length: 8 }, () => push([edit], writeId)));
      for (const answer of answers) assert.deepEqual(answer, { data: { pushTasks: { conflicts: [], rejections: [], refused: [] } } });
      assert.equal(await seq(), before + 1, 'exactly one write transaction');
      assert.equal((await current(task['id'] as string))?.revision, 2);
    });

    it('a retry after the client gave up waiting applies once', async () => {
      const task = newTask({ title: 'Timed out' });
      const before = await seq();
      const writeId = uuidv7();
      const abort = new AbortController();
      const abandoned = push([{ newDocumentState: task }], writeId, abort.signal).catch((error: Error) => error);
      abort.abort();
      assert.ok((await abandoned) instanceof Error, 'the first request was abandoned by the client');
      const retry = await push([{ newDocumentState: task }], writeId);
      assert.deepEqual(retry, { data: { pushTasks: { conflicts: [], rejections: [], refused: [] } } });
      // However the abandoned request ended on the server, the task exists once, at revision 1.
      const doc = await current(task['id'] as string);
      assert.equal(doc?.revision, 1);
      assert.ok((await seq()) <= before + 1);
    });

    it('refuses a write id reused for other rows, typed, and applies nothing', async () => {
      const writeId = uuidv7();
      await push([{ newDocumentState: newTask() }], writeId);
      const other = newTask();
      const answer = await push([{ newDocumentState: other }], writeId);
      assert.equal(answer.errors?.[0]?.extensions?.code, 'WRITE_ID_REUSED');
      assert.equal(await current(other['id'] as string), undefined);
    });

    it('answers a malformed write id with BAD_USER_INPUT', async () => {
      const answer = await push([{ newDocumentState: newTask() }], 'no spaces allowed');
      assert.equal(answer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });

    it('forgets write ids older than the retention time', async () => {
      const store = test.server.store as SqlStore;
      const writeId = uuidv7();
      await push([{ newDocumentState: newTask() }], writeId);
      assert.equal(await store.purgeReceipts(new Date(Date.now() - 60_000)), 0, 'a fresh receipt is kept');
      assert.ok((await store.purgeReceipts(new Date(Date.now() + 60_000))) >= 1);
      // The id is free again: a new push under it is applied, not answered from a receipt.
      const task = newTask();
      await push([{ newDocumentState: task }], writeId);
      assert.equal((await current(task['id'] as string))?.revision, 1);
    });
  });
}

/**
 * Tombstone retention: the maintenance job removes tombstones older than the configured
 * retention; a client pulling from a checkpoint older than a removed tombstone is told
 * CHECKPOINT_EXPIRED (it may have missed the deletion) and can start over from scratch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COLLECTIONS } from '../src/shared/collections';
import { pullQuery, pushMutation } from '../src/shared/operations';
import { BACKENDS, edited, gql, newTask, signUpUser, startTestServer, WORKSPACE, type TestServer, type TestUser } from './test-support';

const TASKS = COLLECTIONS.find((c) => c.name === 'tasks')!;

for (const backend of BACKENDS) {
  describe(`tombstone retention on ${backend.name}`, () => {
    let test: TestServer;
    let user: TestUser;

    before(async () => {
      // Retention of 1 ms: every tombstone is past it by the time the job runs.
      test = await startTestServer(backend, { tombstoneRetentionMs: 1 });
      user = await signUpUser(test.url);
    });
    after(() => test?.dispose());

    const push = (rows: unknown[]) => gql(test.url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows }, user.accessToken);
    const pull = (checkpoint: unknown) => gql(test.url, pullQuery(TASKS), { workspaceId: WORKSPACE, checkpoint, limit: 1000 }, user.accessToken);

    it('purges old tombstones, answers an older checkpoint with CHECKPOINT_EXPIRED, and serves a fresh pull', async () => {
      const kept = newTask({ title: 'Kept' });
      const doomed = newTask({ title: 'Deleted' });
      await push([{ newDocumentState: kept }, { newDocumentState: doomed }]);
      const before = (await pull(null)).data?.['pullTasks'].checkpoint;
      await push([{ assumedMasterState: doomed, newDocumentState: edited(doomed, { deleted: true }) }]);
      const afterDelete = (await pull(null)).data?.['pullTasks'].checkpoint;

      await test.server.runMaintenance();

      const expired = await pull(before);
      assert.equal(expired.errors?.[0]?.extensions?.code, 'CHECKPOINT_EXPIRED');
      assert.notEqual(expired.status, 500);
      const fresh = (await pull(null)).data?.['pullTasks'];
      const ids = fresh.documents.map((d: { id: string }) => d.id);
      assert.ok(ids.includes(kept['id']));
      assert.ok(!ids.includes(doomed['id']), 'the tombstone is gone');
      // A client that had already seen the deletion goes on as before.
      const caughtUp = await pull(afterDelete);
      assert.equal(caughtUp.errors, undefined);
      assert.deepEqual(caughtUp.data?.['pullTasks'].documents, []);
    });

    it('keeps live documents and tombstones younger than the retention', async () => {
      const store = test.server.store;
      const task = newTask();
      await push([{ newDocumentState: task }]);
      await push([{ assumedMasterState: task, newDocumentState: edited(task, { deleted: true }) }]);
      assert.equal(await store.purgeTombstones(new Date(Date.now() - 3_600_000)), 0, 'a fresh tombstone is kept');
      const all = (await pull(null)).data?.['pullTasks'].documents as { id: string; deleted: boolean }[];
      assert.equal(all.find((d) => d.id === task['id'])?.deleted, true);
    });
  });
}

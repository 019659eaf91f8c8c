/**
 * Reconciliation digests: the server's per-collection bucket digests equal what the
 * client computes from the same documents (`src/shared/digest.ts`), a divergence shows
 * up in exactly the bucket it touches, and a bucket can be re-pulled on its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COLLECTIONS } from '../src/shared/collections';
import { bucketOf, differingBuckets, digestDocuments, type BucketDigest } from '../src/shared/digest';
import { bucketPullQuery, pushMutation, SYNC_DIGEST_QUERY } from '../src/shared/operations';
import { BACKENDS, edited, gql, newList, newTask, signUpUser, startTestServer, WORKSPACE, type TestServer, type TestUser } from './test-support';

const TASKS = COLLECTIONS.find((c) => c.name === 'tasks')!;
const LISTS = COLLECTIONS.find((c) => c.name === 'lists')!;

for (const backend of BACKENDS) {
  describe(`sync digests on ${backend.name}`, () => {
    let test: TestServer;
    let user: TestUser;

    before(async () => {
      test = await startTestServer(backend);
      user = await signUpUser(test.url);
    });
    after(() => test?.dispose());

    async function serverDigest(collection: string): Promise<Map<string, BucketDigest>> {
      const answer = await gql(test.url, SYNC_DIGEST_QUERY, { workspaceId: WORKSPACE }, user.accessToken);
      const entry = (answer.data?.['syncDigest'] as { collection: string; buckets: BucketDigest[] }[]).find((d) => d.collection === collection)!;
      return new Map(entry.buckets.map((b) => [b.bucket, b]));
    }

    it('matches the client-side digest of the same documents, tombstones left out, per collection', async () => {
      const tasks = Array.from({ length: 40 }, (_, i) => newTask({ title: `Task ${i}` }));
      await gql(test.url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows: tasks.map((t) => ({ newDocumentState: t })) }, user.accessToken);
      await gql(test.url, pushMutation(LISTS), { workspaceId: WORKSPACE, rows: [{ newDocumentState: newList() }] }, user.accessToken);
      const [edit, removed] = [tasks[0]!, tasks[1]!];
      await gql(test.url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows: [
        { assumedMasterState: edit, newDocumentState: edited(edit, { title: 'Edited' }) },
        { assumedMasterState: removed, newDocumentState: edited(removed, { deleted: true }) },
      ] }, user.accessToken);

      const live = (await test.server.store.pull('tasks', WORKSPACE, null, 1000)).documents.filter((d) => !d.deleted);
      const expected = await digestDocuments(live);
      const actual = await serverDigest('tasks');
      assert.deepEqual(differingBuckets(actual, expected), []);
      assert.equal([...actual.values()].reduce((n, b) => n + b.count, 0), 39);
      assert.equal((await serverDigest('lists')).size, 1);
    });

    it('shows a diverged copy in exactly the buckets it touches, and re-pulls one bucket alone', async () => {
      const live = (await test.server.store.pull('tasks', WORKSPACE, null, 1000)).documents.filter((d) => !d.deleted);
      // The local copy misses one document and holds an old revision of another.
      const [missing, stale] = [live[2]!, live[3]!];
      const local = live.filter((d) => d.id !== missing.id).map((d) => (d.id === stale.id ? { ...d, revision: 0 } : d));
      const differing = differingBuckets(await serverDigest('tasks'), await digestDocuments(local));
      assert.deepEqual(differing, [...new Set([bucketOf(missing.id), bucketOf(stale.id)])].sort());

      const answer = await gql(test.url, bucketPullQuery(TASKS), { workspaceId: WORKSPACE, checkpoint: null, limit: 1000, bucket: bucketOf(missing.id) }, user.accessToken);
      const ids = (answer.data?.['pullTasks'].documents as { id: string }[]).map((d) => d.id);
      assert.ok(ids.includes(missing.id));
      assert.ok(ids.every((id) => bucketOf(id) === bucketOf(missing.id)));
    });

    it('answers a malformed bucket with BAD_USER_INPUT', async () => {
      const answer = await gql(test.url, bucketPullQuery(TASKS), { workspaceId: WORKSPACE, checkpoint: null, limit: 10, bucket: "x'; --" }, user.accessToken);
      assert.equal(answer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });
  });
}

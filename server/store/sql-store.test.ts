import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, edited, newList, newTask, OTHER_WORKSPACE, testConfig, WORKSPACE, type TestDatabase } from '../test-support';
import { openStore } from './open-store';
import type { SqlStore } from './sql-store';
import type { Checkpoint, WireDocument } from './store';

for (const backend of BACKENDS) {
  describe(`SqlStore on ${backend.name}`, () => {
    let database: TestDatabase;
    let store: SqlStore;

    before(async () => {
      database = await backend.create();
      store = await openStore(testConfig(database));
      await store.ensureWorkspace(OTHER_WORKSPACE, 'Other team');
    });
    after(async () => {
      await store?.close();
      await database?.dispose();
    });

    /** Every document of the collection in the workspace, as a client pulling from scratch sees it. */
    async function pullAll(collection: 'tasks' | 'lists' = 'tasks', workspaceId = WORKSPACE): Promise<Map<string, WireDocument>> {
      const seen = new Map<string, WireDocument>();
      let checkpoint: Checkpoint | null = null;
      for (;;) {
        const page = await store.pull(collection, workspaceId, checkpoint, 1000);
        for (const doc of page.documents) seen.set(doc.id, doc);
        if (page.documents.length === 0) return seen;
        checkpoint = page.checkpoint;
      }
    }

    it('returns a pushed document on pull, stamped by the server', async () => {
      const task = newTask({ title: 'Fix the gate' });
      const result = await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      assert.deepEqual(result, { conflicts: [], rejections: [], refused: [], written: 1 });
      const pulled = (await pullAll()).get(task['id'] as string);
      assert.ok(pulled);
      assert.equal(pulled.title, 'Fix the gate');
      assert.equal(pulled.revision, 1);
      assert.equal(pulled.deleted, false);
      assert.equal(pulled.updatedBy, null);
      assert.match(pulled.updatedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(pulled.workspaceId, WORKSPACE);
    });

    it('pages by checkpoint without gaps or duplicates and keeps the checkpoint when nothing is new', async () => {
      const start = await store.pull('lists', WORKSPACE, null, 1000);
      const lists = Array.from({ length: 25 }, (_, i) => newList({ name: `List ${i}` }));
      // Several pushes so the pages cross change sequence numbers.
      for (let i = 0; i < lists.length; i += 7) {
        await store.push('lists', WORKSPACE, lists.slice(i, i + 7).map((l) => ({ newDocumentState: l })), null);
      }
      const ids: string[] = [];
      let checkpoint = start.checkpoint;
      let pages = 0;
      for (;;) {
        const page = await store.pull('lists', WORKSPACE, checkpoint, 10);
        if (page.documents.length === 0) {
          assert.deepEqual(page.checkpoint, checkpoint, 'an empty pull returns the input checkpoint');
          break;
        }
        pages++;
        ids.push(...page.documents.map((d) => d.id));
        checkpoint = page.checkpoint;
      }
      assert.equal(pages, 3);
      assert.equal(new Set(ids).size, 25, 'no duplicates');
      assert.deepEqual(new Set(ids), new Set(lists.map((l) => l['id'])), 'no gaps');
    });

    it('returns a null checkpoint when there is neither input nor change', async () => {
      const empty = await store.pull('tasks', '00000000-0000-7000-8000-00000000dead', null, 10);
      assert.deepEqual(empty, { documents: [], checkpoint: null });
    });

    it('sends a delete to pullers as a tombstone', async () => {
      const task = newTask();
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      const before = await store.pull('tasks', WORKSPACE, null, 1000);
      const deleted = edited(task, { deleted: true });
      await store.push('tasks', WORKSPACE, [{ assumedMasterState: task, newDocumentState: deleted }], null);
      const page = await store.pull('tasks', WORKSPACE, before.checkpoint, 1000);
      assert.deepEqual(page.documents.map((d) => [d.id, d.deleted, d.revision]), [[task['id'], true, 2]]);
    });

    it('answers a stale assumed state with the current server document and changes nothing', async () => {
      const task = newTask({ title: 'v1' });
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      const theirs = edited(task, { title: 'theirs' });
      await store.push('tasks', WORKSPACE, [{ assumedMasterState: task, newDocumentState: theirs }], null);
      const mine = edited(task, { title: 'mine' });
      const result = await store.push('tasks', WORKSPACE, [{ assumedMasterState: task, newDocumentState: mine }], null);
      assert.equal(result.written, 0);
      assert.equal(result.conflicts.length, 1);
      assert.equal(result.conflicts[0]?.title, 'theirs');
      assert.equal(result.conflicts[0]?.revision, 2);
      const current = (await pullAll()).get(task['id'] as string);
      assert.equal(current?.title, 'theirs');
    });

    it('treats an insert of an existing id as a conflict, never an overwrite', async () => {
      const task = newTask({ title: 'original' });
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      const impostor = { ...task, title: 'overwrite attempt' };
      const result = await store.push('tasks', WORKSPACE, [{ newDocumentState: impostor }], null);
      assert.deepEqual(result.conflicts.map((d) => d.title), ['original']);
      assert.equal((await pullAll()).get(task['id'] as string)?.title, 'original');
    });

    it('accepts a replayed push once: no second revision bump, no conflict', async () => {
      const task = newTask();
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      const edit = edited(task, { status: 'doing' });
      const row = { assumedMasterState: task, newDocumentState: edit };
      const first = await store.push('tasks', WORKSPACE, [row], null);
      const afterFirst = await store.pull('tasks', WORKSPACE, null, 1000);
      const replay = await store.push('tasks', WORKSPACE, [row], null);
      assert.deepEqual(first, { conflicts: [], rejections: [], refused: [], written: 1 });
      assert.deepEqual(replay, { conflicts: [], rejections: [], refused: [], written: 0 });
      const insertReplay = await store.push('tasks', WORKSPACE, [{ newDocumentState: edit }], null);
      assert.deepEqual(insertReplay.conflicts, [], 'a replayed insert of the same version is not a conflict');
      const afterReplay = await store.pull('tasks', WORKSPACE, afterFirst.checkpoint, 1000);
      assert.deepEqual(afterReplay.documents, [], 'the replay wrote nothing new');
      assert.equal((await pullAll()).get(task['id'] as string)?.revision, 2);
    });

    it('accepts edit, edit, edit each based on the state pushed before (no false conflict)', async () => {
      let state = newTask({ title: 'draft' });
      await store.push('tasks', WORKSPACE, [{ newDocumentState: state }], null);
      for (const title of ['draft 2', 'draft 3', 'final']) {
        const next = edited(state, { title });
        const result = await store.push('tasks', WORKSPACE, [{ assumedMasterState: state, newDocumentState: next }], null);
        assert.deepEqual(result, { conflicts: [], rejections: [], refused: [], written: 1 }, `edit to ${title}`);
        state = next;
      }
      const current = (await pullAll()).get(state['id'] as string);
      assert.equal(current?.title, 'final');
      assert.equal(current?.revision, 4);
    });

    it('rejects a revision that does not move forward', async () => {
      const task = newTask();
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      const result = await store.push('tasks', WORKSPACE, [{ assumedMasterState: task, newDocumentState: { ...task, title: 'same revision' } }], null);
      assert.deepEqual(result.rejections.map((r) => r.code), ['REVISION_INVALID']);
    });

    it('rejects an invalid document with field details and still accepts the other rows', async () => {
      const good = newTask({ title: 'good' });
      const bad = newTask({ title: '   ', status: 'maybe' });
      const alsoGood = newTask({ title: 'also good' });
      const result = await store.push('tasks', WORKSPACE, [good, bad, alsoGood].map((d) => ({ newDocumentState: d })), null);
      assert.equal(result.written, 2);
      assert.equal(result.rejections.length, 1);
      const rejection = result.rejections[0]!;
      assert.equal(rejection.id, bad['id']);
      assert.equal(rejection.code, 'VALIDATION');
      assert.deepEqual(rejection.fields.map((f) => f.field).sort(), ['status', 'title']);
      const all = await pullAll();
      assert.ok(all.has(good['id'] as string) && all.has(alsoGood['id'] as string));
      assert.ok(!all.has(bad['id'] as string));
    });

    it('refuses a forged workspaceId and an id that lives in another workspace, without leaking it', async () => {
      const secret = newTask({ workspaceId: OTHER_WORKSPACE, title: 'secret' });
      await store.push('tasks', OTHER_WORKSPACE, [{ newDocumentState: secret }], null);

      const forged = newTask({ workspaceId: OTHER_WORKSPACE });
      const forgedResult = await store.push('tasks', WORKSPACE, [{ newDocumentState: forged }], null);
      assert.deepEqual(forgedResult.rejections.map((r) => r.code), ['FORBIDDEN']);

      const hijack = { ...secret, workspaceId: WORKSPACE, title: 'hijacked', revision: 2 };
      const hijackResult = await store.push('tasks', WORKSPACE, [{ assumedMasterState: secret, newDocumentState: hijack }], null);
      assert.deepEqual(hijackResult.conflicts, [], 'the other workspace document is not revealed as a conflict');
      assert.deepEqual(hijackResult.rejections.map((r) => [r.id, r.code]), [[secret['id'], 'FORBIDDEN']]);
      assert.ok(!JSON.stringify(hijackResult).includes('secret'));

      assert.ok(!(await pullAll('tasks', OTHER_WORKSPACE)).has(forged['id'] as string));
      assert.equal((await pullAll('tasks', OTHER_WORKSPACE)).get(secret['id'] as string)?.title, 'secret');
      assert.ok(!(await pullAll()).has(secret['id'] as string));
    });

    it('never loses a change to concurrent pushes while a client pulls', async () => {
      const start = (await store.pull('tasks', WORKSPACE, null, 1000)).checkpoint;
      const tasks = Array.from({ length: 32 }, (_, i) => newTask({ title: `concurrent ${i}` }));
      const seen = new Set<string>();
      let checkpoint = start;
      let writing = true;
      const writers = Promise.all(
        Array.from({ length: 16 }, (_, w) => store.push('tasks', WORKSPACE, tasks.slice(w * 2, w * 2 + 2).map((t) => ({ newDocumentState: t })), null)),
      ).finally(() => (writing = false));
      while (writing) {
        const page = await store.pull('tasks', WORKSPACE, checkpoint, 3);
        for (const doc of page.documents) seen.add(doc.id);
        checkpoint = page.checkpoint;
      }
      await writers;
      for (;;) {
        const page = await store.pull('tasks', WORKSPACE, checkpoint, 3);
        if (page.documents.length === 0) break;
        for (const doc of page.documents) seen.add(doc.id);
        checkpoint = page.checkpoint;
      }
      assert.deepEqual([...tasks.map((t) => t['id'] as string)].filter((id) => !seen.has(id)), []);
    });

    it('keeps its data and migrations across a restart', async () => {
      const task = newTask({ title: 'survives' });
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      await store.close();
      store = await openStore(testConfig(database));
      assert.equal((await pullAll()).get(task['id'] as string)?.title, 'survives');
      assert.ok(await store.workspaceExists(WORKSPACE));
    });
  });
}

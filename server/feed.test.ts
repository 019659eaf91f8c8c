import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChangeFeedHub, InProcessNotifier, type ChangeBatch } from './feed';
import { openStore } from './store/open-store';
import type { SqlStore } from './store/sql-store';
import type { Store } from './store/store';
import { BACKENDS, edited, newList, newTask, testConfig, waitFor, WORKSPACE, type TestDatabase } from './test-support';

/** The store with its feed reads counted: what each `changesSince` call returned. */
function countingStore(store: Store): { store: Store; reads: number[] } {
  const reads: number[] = [];
  const counted = Object.create(store) as Store;
  counted.changesSince = async (...args) => {
    const changes = await store.changesSince(...args);
    reads.push(changes.length);
    return changes;
  };
  return { store: counted, reads };
}

for (const backend of BACKENDS) {
  describe(`change feed on ${backend.name}`, () => {
    let database: TestDatabase;
    let store: SqlStore;

    before(async () => {
      database = await backend.create();
      store = await openStore(testConfig(database));
    });
    after(async () => {
      await store?.close();
      await database?.dispose();
    });

    it('delivers each collection its own changes committed after subscribing', async () => {
      const earlier = newTask({ title: 'before subscribing' });
      await store.push('tasks', WORKSPACE, [{ newDocumentState: earlier }], null);
      const hub = new ChangeFeedHub(store, new InProcessNotifier());
      const tasks: ChangeBatch[] = [];
      const lists: ChangeBatch[] = [];
      const stopTasks = await hub.subscribe(WORKSPACE, 'tasks', (b) => tasks.push(b));
      const stopLists = await hub.subscribe(WORKSPACE, 'lists', (b) => lists.push(b));

      const task = newTask();
      await store.push('tasks', WORKSPACE, [{ newDocumentState: task }], null);
      hub.announce(WORKSPACE);
      await waitFor(() => tasks.length > 0, 'the task batch');
      assert.deepEqual(tasks.flatMap((b) => b.documents.map((d) => d.id)), [task['id']]);
      assert.equal(tasks[0]?.checkpoint.id, task['id']);
      assert.equal(lists.length, 0);

      const list = newList();
      await store.push('lists', WORKSPACE, [{ newDocumentState: list }], null);
      hub.announce(WORKSPACE);
      await waitFor(() => lists.length > 0, 'the list batch');
      assert.deepEqual(lists.flatMap((b) => b.documents.map((d) => d.id)), [list['id']]);
      assert.equal(tasks.length, 1, 'tasks subscribers get no list changes');
      stopTasks();
      stopLists();
      hub.close();
    });

    it('reads only the new change of a large workspace, in one query', async () => {
      const bulk = Array.from({ length: 500 }, (_, i) => newTask({ title: `bulk ${i}` }));
      await store.push('tasks', WORKSPACE, bulk.map((t) => ({ newDocumentState: t })), null);
      const { store: counted, reads } = countingStore(store);
      const hub = new ChangeFeedHub(counted, new InProcessNotifier());
      const batches: ChangeBatch[] = [];
      const stop = await hub.subscribe(WORKSPACE, 'tasks', (b) => batches.push(b));

      const edit = edited(bulk[0]!, { status: 'done' });
      await store.push('tasks', WORKSPACE, [{ assumedMasterState: bulk[0]!, newDocumentState: edit }], null);
      await hub.wake(WORKSPACE);
      assert.deepEqual(reads, [1], 'one query, returning the one changed document');
      assert.deepEqual(batches.map((b) => b.documents.map((d) => [d.id, d.status])), [[[edit['id'], 'done']]]);
      stop();
      hub.close();
    });

    it('serialises fetches: a burst of notifications reads at most twice and delivers each change once', async () => {
      const { store: counted, reads } = countingStore(store);
      const hub = new ChangeFeedHub(counted, new InProcessNotifier());
      const ids: string[] = [];
      const stop = await hub.subscribe(WORKSPACE, 'tasks', (b) => ids.push(...b.documents.map((d) => d.id)));
      const burst = Array.from({ length: 5 }, () => newTask());
      await store.push('tasks', WORKSPACE, burst.map((t) => ({ newDocumentState: t })), null);
      await Promise.all(burst.map(() => hub.wake(WORKSPACE)));
      assert.ok(reads.length <= 2, `reads: ${reads.join(', ')}`);
      assert.deepEqual(ids.sort(), burst.map((t) => t['id'] as string).sort());
      stop();
      hub.close();
    });

    it('pages a backlog larger than one read without skipping documents of a seq', async () => {
      const hub = new ChangeFeedHub(store, new InProcessNotifier(), { pageSize: 4 });
      const ids: string[] = [];
      const stop = await hub.subscribe(WORKSPACE, 'tasks', (b) => ids.push(...b.documents.map((d) => d.id)));
      const many = Array.from({ length: 10 }, () => newTask());
      await store.push('tasks', WORKSPACE, many.map((t) => ({ newDocumentState: t })), null);
      await hub.wake(WORKSPACE);
      assert.deepEqual(ids.sort(), many.map((t) => t['id'] as string).sort());
      stop();
      hub.close();
    });

    it('drops a workspace feed when its last subscriber leaves', async () => {
      const hub = new ChangeFeedHub(store, new InProcessNotifier());
      const stopA = await hub.subscribe(WORKSPACE, 'tasks', () => undefined);
      const stopB = await hub.subscribe(WORKSPACE, 'lists', () => undefined);
      assert.equal(await hub.subscriberCount(WORKSPACE), 2);
      stopA();
      assert.equal(await hub.subscriberCount(WORKSPACE), 1);
      stopB();
      assert.equal(await hub.subscriberCount(WORKSPACE), 0);
      hub.close();
    });
  });
}

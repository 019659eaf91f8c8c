import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SyncQueue, type RowDocument } from './sync-queue';
import { MemoryOutboxStore } from './outbox-store';
import { FakeClock } from './fake-clock';

const doc = (id: string, revision: number, patch: Partial<RowDocument> = {}): RowDocument => ({
  id, revision, deleted: false, label: id, isNew: revision === 1, ...patch,
});

function setup() {
  const store = new MemoryOutboxStore();
  const queue = new SyncQueue(store, new FakeClock());
  return { store, queue };
}

describe('SyncQueue', () => {
  it('keeps a local write as a persisted pending entry', async () => {
    const { store, queue } = setup();
    await queue.recordLocalWrite({ collection: 'tasks', docId: 'a', label: 'A', revision: 1, deleted: false, isInsert: true });
    const [entry] = await store.all();
    assert.equal(entry?.state, 'pending');
    assert.equal(entry?.operation, 'create');
  });

  it('drops the entry once the server accepted the newest version', async () => {
    const { store, queue } = setup();
    await queue.recordLocalWrite({ collection: 'tasks', docId: 'a', label: 'A', revision: 1, deleted: false, isInsert: true });
    await queue.pushStarted('tasks', [doc('a', 1)]);
    assert.equal((await store.all())[0]?.state, 'syncing');
    await queue.accepted('tasks', [doc('a', 1)]);
    assert.deepEqual(await store.all(), []);
  });

  it('keeps the entry pending when a newer local version was written during the push', async () => {
    const { store, queue } = setup();
    await queue.recordLocalWrite({ collection: 'tasks', docId: 'a', label: 'A', revision: 1, deleted: false, isInsert: true });
    await queue.pushStarted('tasks', [doc('a', 1)]);
    await queue.recordLocalWrite({ collection: 'tasks', docId: 'a', label: 'A', revision: 2, deleted: false, isInsert: false });
    await queue.accepted('tasks', [doc('a', 1)]);
    const [entry] = await store.all();
    assert.deepEqual([entry?.state, entry?.serverRevision, entry?.localRevision], ['pending', 1, 2]);
  });

  it('creates an entry for a pushed record it never saw written (e.g. written before a crash)', async () => {
    const { store, queue } = setup();
    await queue.pushStarted('lists', [doc('l', 3, { isNew: false })]);
    const [entry] = await store.all();
    assert.deepEqual([entry?.key, entry?.state, entry?.operation], ['lists:l', 'syncing', 'update']);
  });

  it('marks only the refused rows rejected, with their reasons', async () => {
    const { store, queue } = setup();
    await queue.pushStarted('tasks', [doc('a', 1), doc('b', 1)]);
    await queue.accepted('tasks', [doc('b', 1)]);
    await queue.rejected('tasks', [doc('a', 1)], new Map([['a', { code: 'LIST_ARCHIVED', message: 'The list is archived', fields: [] }]]));
    const all = await store.all();
    assert.equal(all.length, 1);
    assert.deepEqual([all[0]?.docId, all[0]?.state, all[0]?.rejection?.code], ['a', 'rejected', 'LIST_ARCHIVED']);
  });

  it('turns in-flight and retrying entries into saved offline when the network goes', async () => {
    const { store, queue } = setup();
    await queue.pushStarted('tasks', [doc('a', 1)]);
    await queue.retryScheduled('tasks', [doc('b', 1)], 'server unreachable', 5);
    await queue.wentOffline();
    assert.deepEqual((await store.all()).map((e) => e.state), ['pending', 'pending']);
  });

  it('counts failed attempts per record, so the count survives a new page (reload)', async () => {
    const { store, queue } = setup();
    await queue.retryScheduled('tasks', [doc('a', 1)], 'server busy (503)', 10);
    await queue.retryScheduled('tasks', [doc('a', 1)], 'server busy (503)', 20);
    const reloaded = new SyncQueue(store, new FakeClock());
    await reloaded.retryScheduled('tasks', [doc('a', 1)], 'server busy (503)', 30);
    assert.equal((await store.all())[0]?.attempts, 3);
  });

  it('keeps all three versions of a conflict left for review', async () => {
    const { store, queue } = setup();
    const base = { id: 'a', title: 'Pump', revision: 1, deleted: false };
    await queue.needsReview('tasks', 'a', 'title changed on both sides', {
      reasons: [{ field: 'title', reason: 'same-field' }],
      base,
      mine: { ...base, title: 'Mine', revision: 2 },
      theirs: { ...base, title: 'Theirs', revision: 2 },
    });
    const [entry] = await store.all();
    assert.equal(entry?.state, 'review');
    assert.equal(entry?.review?.mine['title'], 'Mine');
    assert.equal(entry?.review?.theirs['title'], 'Theirs');
  });

  it('applies reports in order even when they are not awaited', async () => {
    const { store, queue } = setup();
    void queue.recordLocalWrite({ collection: 'tasks', docId: 'a', label: 'A', revision: 1, deleted: false, isInsert: true });
    void queue.pushStarted('tasks', [doc('a', 1)]);
    await queue.retryScheduled('tasks', [doc('a', 1)], 'server busy (503)', 10);
    const [entry] = await store.all();
    assert.deepEqual([entry?.state, entry?.operation, entry?.attempts], ['retrying', 'create', 1]);
  });
});

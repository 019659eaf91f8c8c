import { TestBed } from '@angular/core/testing';
import { TasksStore } from '../tasks/tasks-store';
import { ListsStore } from '../lists/lists-store';
import { StorageHealth } from './storage-health';
import { STORAGE_FULL_MESSAGE } from './storage-full';
import { openTestDatabase, provideTestDatabase, removeTestDatabase, until } from '../testing/test-database';
import type { FieldbookDatabase } from './database';

/**
 * Writes refused for space, on a real RxDB/Dexie database. Karma cannot shrink the
 * browser's quota (the e2e test does, through DevTools), so the storage's `bulkWrite` is
 * made to fail once with the error IndexedDB raises when it is out of space: the one
 * stand-in in these specs.
 */
function failNextWriteForSpace(db: FieldbookDatabase): void {
  const storage = db.tasks.storageInstance;
  const bulkWrite = storage.bulkWrite.bind(storage);
  storage.bulkWrite = () => {
    storage.bulkWrite = bulkWrite;
    return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  };
}

describe('StorageHealth and the stores', () => {
  let db: FieldbookDatabase;
  let tasks: TasksStore;
  let health: StorageHealth;
  let listId: string;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestDatabase() });
    db = (await openTestDatabase()).db;
    const created = await TestBed.inject(ListsStore).create('Cellar');
    if (!created.ok) throw new Error('list not created');
    listId = created.value.id;
    tasks = TestBed.inject(TasksStore);
    health = TestBed.inject(StorageHealth);
  });

  afterEach(() => removeTestDatabase());

  it('answers a new task refused for space with the storage-full error and says storage is full until a write succeeds', async () => {
    failNextWriteForSpace(db);
    const refused = await tasks.create(listId, 'Check the pump');
    expect(refused.ok ? [] : refused.errors.map((e) => e.message)).toEqual([STORAGE_FULL_MESSAGE]);
    expect(health.full()).toBeTrue();
    expect(await db.tasks.count().exec()).toBe(0);

    expect((await tasks.create(listId, 'Check the pump')).ok).toBeTrue();
    expect(health.full()).toBeFalse();
    await until(() => tasks.tasks().length === 1);
  });

  it('keeps a task unchanged when its edit is refused for space, and saves the next edit', async () => {
    const created = await tasks.create(listId, 'Read the meter');
    if (!created.ok) throw new Error('not created');
    failNextWriteForSpace(db);
    const refused = await tasks.update(created.value.id, { notes: 'Typed while full' });
    expect(refused.ok ? [] : refused.errors.map((e) => e.field)).toEqual(['storage']);
    expect((await db.tasks.findOne(created.value.id).exec())?.toJSON().notes).toBe('');

    // The failed edit must not hold the collection's write queue: the next one goes through.
    expect((await tasks.update(created.value.id, { notes: 'Typed again' })).ok).toBeTrue();
    expect((await tasks.toggleDone(created.value.id)).ok).toBeTrue();
    const stored = (await db.tasks.findOne(created.value.id).exec())?.toJSON();
    expect(stored?.notes).toBe('Typed again');
    expect(stored?.status).toBe('done');
    expect(stored?.revision).toBe(3);
  });

  it('passes on write failures that are not about space', async () => {
    const created = await tasks.create(listId, 'Sweep');
    if (!created.ok) throw new Error('not created');
    const storage = db.tasks.storageInstance;
    const bulkWrite = storage.bulkWrite.bind(storage);
    storage.bulkWrite = () => {
      storage.bulkWrite = bulkWrite;
      return Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError'));
    };
    await expectAsync(tasks.update(created.value.id, { notes: 'x' })).toBeRejected();
    expect(health.full()).toBeFalse();
  });
});

import { TestBed } from '@angular/core/testing';
import { ListsStore } from './lists-store';
import { openTestDatabase, provideTestDatabase, removeTestDatabase, until } from '../testing/test-database';

describe('ListsStore', () => {
  let store: ListsStore;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestDatabase() });
    await openTestDatabase();
    store = TestBed.inject(ListsStore);
  });

  afterEach(() => removeTestDatabase());

  it('creates a list, selects it, and shows it', async () => {
    const result = await store.create('  Warehouse  ');
    expect(result.ok).toBeTrue();
    await until(() => store.lists().length === 1);
    expect(store.lists()[0]?.name).toBe('Warehouse');
    expect(store.selected()?.name).toBe('Warehouse');
    expect(store.lists()[0]?.revision).toBe(1);
  });

  it('refuses an empty name with a field error and writes nothing', async () => {
    const result = await store.create('   ');
    expect(result.ok).toBeFalse();
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['name']);
    const stored = await TestBed.inject(ListsStore)['db'].lists.find().exec();
    expect(stored.length).toBe(0);
  });

  it('renames a list and proposes the next revision', async () => {
    const created = await store.create('Basement');
    if (!created.ok) fail('create failed');
    await until(() => store.lists().length === 1);
    const id = store.lists()[0]!.id;
    expect((await store.rename(id, 'Cellar')).ok).toBeTrue();
    await until(() => store.lists()[0]?.name === 'Cellar');
    expect(store.lists()[0]?.revision).toBe(2);
  });

  it('deletes a list and its tasks as tombstones', async () => {
    await store.create('Temporary');
    await until(() => store.lists().length === 1);
    const id = store.lists()[0]!.id;
    await store.remove(id);
    await until(() => store.lists().length === 0);
    expect(store.selected()).toBeNull();
  });
});

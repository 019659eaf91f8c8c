import { TestBed } from '@angular/core/testing';
import { TasksStore } from './tasks-store';
import { ListsStore } from '../lists/lists-store';
import { openTestDatabase, provideTestDatabase, removeTestDatabase, until } from '../testing/test-database';

describe('TasksStore', () => {
  let tasks: TasksStore;
  let listId: string;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestDatabase() });
    await openTestDatabase();
    const lists = TestBed.inject(ListsStore);
    const created = await lists.create('Field work');
    if (!created.ok) throw new Error('list not created');
    listId = created.value.id;
    tasks = TestBed.inject(TasksStore);
  });

  afterEach(() => removeTestDatabase());

  it('adds a task to the selected list', async () => {
    expect((await tasks.create(listId, 'Replace filter')).ok).toBeTrue();
    await until(() => tasks.tasks().length === 1);
    const task = tasks.tasks()[0]!;
    expect(task.title).toBe('Replace filter');
    expect(task.status).toBe('todo');
    expect(task.revision).toBe(1);
  });

  it('refuses an empty title and a title over 500 characters', async () => {
    const empty = await tasks.create(listId, '');
    const long = await tasks.create(listId, 'x'.repeat(501));
    expect(empty.ok ? [] : empty.errors.map((e) => e.message)).toEqual(['title must not be empty']);
    expect(long.ok ? [] : long.errors.map((e) => e.message)).toEqual(['title must have at most 500 characters']);
  });

  it('edits title, notes, status, priority and due date, one revision per edit', async () => {
    const created = await tasks.create(listId, 'Read meter');
    if (!created.ok) throw new Error('not created');
    const result = await tasks.update(created.value.id, {
      title: 'Read gas meter', notes: 'Cellar door code 1234', status: 'doing', priority: 'high', dueAt: '2026-12-24',
    });
    expect(result.ok).toBeTrue();
    await until(() => tasks.tasks()[0]?.revision === 2);
    expect(tasks.tasks()[0]).toEqual(jasmine.objectContaining({
      title: 'Read gas meter', notes: 'Cellar door code 1234', status: 'doing', priority: 'high', dueAt: '2026-12-24',
    }));
  });

  it('refuses an invalid due date and keeps the task unchanged', async () => {
    const created = await tasks.create(listId, 'Order parts');
    if (!created.ok) throw new Error('not created');
    const result = await tasks.update(created.value.id, { dueAt: 'tomorrow' });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['dueAt']);
    await until(() => tasks.tasks().length === 1);
    expect(tasks.tasks()[0]?.dueAt).toBeNull();
    expect(tasks.tasks()[0]?.revision).toBe(1);
  });

  it('completes and reopens a task', async () => {
    const created = await tasks.create(listId, 'Sweep');
    if (!created.ok) throw new Error('not created');
    await tasks.toggleDone(created.value.id);
    await until(() => tasks.tasks()[0]?.status === 'done');
    await tasks.toggleDone(created.value.id);
    await until(() => tasks.tasks()[0]?.status === 'todo');
    expect(tasks.tasks()[0]?.revision).toBe(3);
  });

  it('deletes a task', async () => {
    const created = await tasks.create(listId, 'Temporary');
    if (!created.ok) throw new Error('not created');
    await until(() => tasks.tasks().length === 1);
    await tasks.remove(created.value.id);
    await until(() => tasks.tasks().length === 0);
    expect(await TestBed.inject(TasksStore)['db'].tasks.findOne(created.value.id).exec()).toBeNull();
  });
});

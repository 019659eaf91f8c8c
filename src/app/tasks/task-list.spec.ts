import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { TaskList } from './task-list';
import { ListsStore } from '../lists/lists-store';
import { DatabaseService } from '../data/database-service';
import { DEFAULT_WORKSPACE_ID, type TaskDoc } from '../../shared/collections';
import { openTestDatabase, provideTestDatabase, removeTestDatabase, until } from '../testing/test-database';

/** Waits until the selected list (read asynchronously from RxDB) is on screen. */
async function rendered(fixture: ComponentFixture<TaskList>): Promise<HTMLElement> {
  const el = fixture.nativeElement as HTMLElement;
  await until(() => {
    fixture.detectChanges();
    return el.querySelector('[data-testid="new-task-input"]') !== null;
  });
  return el;
}

describe('TaskList', () => {
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestDatabase() });
    await openTestDatabase();
  });

  afterEach(() => removeTestDatabase());

  it('renders only the visible rows of a list with 5,000 tasks', async () => {
    const created = await TestBed.inject(ListsStore).create('Big list');
    if (!created.ok) throw new Error('not created');
    const now = Date.now();
    const docs: TaskDoc[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `task-${String(i).padStart(5, '0')}`, workspaceId: DEFAULT_WORKSPACE_ID, revision: 1,
      updatedAt: new Date(now).toISOString(), updatedBy: null, listId: created.value.id, title: `Task ${i}`, notes: '',
      status: 'todo', priority: 'none', dueAt: null, assigneeId: null, createdAt: new Date(now + i).toISOString(),
    }));
    await TestBed.inject(DatabaseService).db.tasks.bulkInsert(docs);

    const fixture = TestBed.createComponent(TaskList);
    const el = fixture.nativeElement as HTMLElement;
    await until(() => {
      fixture.detectChanges();
      return el.querySelector('[data-testid="task-count"]')?.textContent?.includes('5000 total') ?? false;
    });
    await until(() => {
      fixture.detectChanges();
      return el.querySelectorAll('[data-testid="task-row"]').length > 0;
    });
    const rows = el.querySelectorAll('[data-testid="task-row"]');
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]?.textContent).toContain('Task 0');
  });

  it('adds a task typed by the person and clears the field', async () => {
    const created = await TestBed.inject(ListsStore).create('Small list');
    if (!created.ok) throw new Error('not created');
    const fixture = TestBed.createComponent(TaskList);
    const el = await rendered(fixture);
    const input = el.querySelector('[data-testid="new-task-input"]') as HTMLInputElement;
    input.value = 'Call the supplier';
    (el.querySelector('[data-testid="new-task-submit"]') as HTMLButtonElement).click();
    await until(() => {
      fixture.detectChanges();
      return el.querySelector('[data-testid="task-title"]')?.textContent?.includes('Call the supplier') ?? false;
    });
    expect(input.value).toBe('');
  });

  it('shows the reason when the title is empty', async () => {
    const created = await TestBed.inject(ListsStore).create('Another list');
    if (!created.ok) throw new Error('not created');
    const fixture = TestBed.createComponent(TaskList);
    const el = await rendered(fixture);
    (el.querySelector('[data-testid="new-task-submit"]') as HTMLButtonElement).click();
    await until(() => {
      fixture.detectChanges();
      return el.querySelector('[role="alert"]') !== null;
    });
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('title must not be empty');
  });
});

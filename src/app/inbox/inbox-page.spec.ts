import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { InboxPage } from './inbox-page';
import { InboxActions } from './inbox-actions';
import { SyncService } from '../sync/sync-service';
import { ListsStore } from '../lists/lists-store';
import type { OutboxEntry } from '../sync/queue/outbox-entry';

function entry(patch: Partial<OutboxEntry>): OutboxEntry {
  return {
    key: 'tasks:t1', collection: 'tasks', docId: 't1', label: 'Pump', operation: 'update', state: 'review', attempts: 0,
    lastError: null, nextRetryAt: null, baseRevision: 1, localRevision: 2, serverRevision: 2, deleted: false, changedAt: 0,
    rejection: null, parked: null, review: null, ...patch,
  };
}

describe('InboxPage', () => {
  // The page renders the outbox's signals and hands decisions to InboxActions; both are stand-ins here.
  const entries = signal<readonly OutboxEntry[]>([]);
  const calls: [string, unknown, unknown][] = [];
  const actions = {
    resolveFields: async (e: OutboxEntry, values: unknown) => void calls.push(['resolveFields', e.docId, values]),
    resubmit: async (e: OutboxEntry, changes: unknown) => void calls.push(['resubmit', e.docId, changes]),
    restore: async (e: OutboxEntry) => void calls.push(['restore', e.docId, null]),
  };

  beforeEach(() => {
    calls.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideRouter([]),
        { provide: SyncService, useValue: { entries: entries.asReadonly() } },
        { provide: InboxActions, useValue: actions },
        { provide: ListsStore, useValue: { lists: signal([{ id: 'l1', name: 'Old', archived: true }, { id: 'l2', name: 'New', archived: false }]) } },
      ],
    });
  });

  async function render(list: OutboxEntry[]): Promise<{ el: HTMLElement; stable: () => Promise<void> }> {
    entries.set(list);
    const fixture = TestBed.createComponent(InboxPage);
    await fixture.whenStable();
    return { el: fixture.nativeElement as HTMLElement, stable: () => fixture.whenStable() };
  }

  it('shows base, mine and theirs per field and saves an edited merged value', async () => {
    const review = { reasons: [{ field: 'title', reason: 'same-field' }], base: { title: 'Pump' }, mine: { title: 'Pump A' }, theirs: { title: 'Pump B' } };
    const { el, stable } = await render([entry({ review })]);
    const field = el.querySelector('[data-testid="inbox-field"][data-field="title"]')!;
    expect(field.querySelector('[data-testid="inbox-base"]')?.textContent).toBe('Pump');
    expect(field.querySelector('[data-testid="inbox-mine"]')?.textContent).toBe('Pump A');
    expect(field.querySelector('[data-testid="inbox-theirs"]')?.textContent).toBe('Pump B');
    (field.querySelector('[data-testid="pick-edit"]') as HTMLInputElement).click();
    await stable();
    const merged = field.querySelector('[data-testid="merged-value"]') as HTMLTextAreaElement;
    merged.value = 'Pump A+B';
    (el.querySelector('[data-testid="inbox-resolve"]') as HTMLButtonElement).click();
    await stable();
    expect(calls).toEqual([['resolveFields', 't1', { title: 'Pump A+B' }]]);
  });

  it('explains a refusal in plain words and moves the task to a list that is not archived', async () => {
    const rejection = { code: 'LIST_ARCHIVED', message: 'archived', fields: [{ field: 'listId', message: 'listId is an archived list' }], mine: { title: 'Paint', notes: 'Two coats', listId: 'l1' }, theirs: null };
    const { el, stable } = await render([entry({ state: 'rejected', rejection, review: null })]);
    expect(el.querySelector('[data-testid="inbox-reason"]')?.textContent).toContain('The list was archived');
    expect((el.querySelector('[data-testid="fix-notes"]') as HTMLTextAreaElement).value).toBe('Two coats');
    const select = el.querySelector('[data-testid="inbox-move-target"]') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(['Move to list…', 'New']);
    select.value = 'l2';
    (el.querySelector('[data-testid="inbox-move"]') as HTMLButtonElement).click();
    await stable();
    expect(calls).toEqual([['resubmit', 't1', { listId: 'l2' }]]);
  });

  it('offers restore for a record deleted elsewhere, and says when nothing waits', async () => {
    const review = { reasons: [{ field: 'deleted', reason: 'deleted-elsewhere' }], base: null, mine: { title: 'Fence' }, theirs: { title: 'Fence', deleted: true } };
    const { el, stable } = await render([entry({ review })]);
    expect(el.querySelector('[data-testid="inbox-item"]')?.getAttribute('data-kind')).toBe('deleted-elsewhere');
    (el.querySelector('[data-testid="inbox-restore"]') as HTMLButtonElement).click();
    await stable();
    expect(calls).toEqual([['restore', 't1', null]]);
    entries.set([]);
    await stable();
    expect(el.querySelector('[data-testid="inbox-summary"]')?.textContent).toContain('Nothing needs your decision.');
  });
});

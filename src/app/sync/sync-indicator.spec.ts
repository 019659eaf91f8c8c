import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { SyncIndicator, describeStatus } from './sync-indicator';
import { SyncService } from './sync-service';
import type { SyncStatus } from './sync-status';
import type { OutboxEntry } from './queue/outbox-entry';

const base: SyncStatus = { phase: 'synced', lastSyncedAt: null, lastError: null, attempts: 0, nextAttemptAt: null, pending: 0, needsAttention: 0 };

describe('SyncIndicator', () => {
  // The indicator only renders SyncService's signals; plain signals stand in for the replication.
  const status = signal<SyncStatus>(base);
  const progress = signal<{ received: number; total: number } | null>(null);
  const entries = signal<readonly OutboxEntry[]>([]);

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideRouter([]),
        { provide: SyncService, useValue: { status: status.asReadonly(), progress: progress.asReadonly(), entries: entries.asReadonly() } },
      ],
    });
  });

  async function render(next: Partial<SyncStatus>): Promise<HTMLElement> {
    status.set({ ...base, ...next });
    const fixture = TestBed.createComponent(SyncIndicator);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('counts records waiting in the review inbox, linking to it', async () => {
    const entry = (key: string, state: OutboxEntry['state']) => ({ key, state }) as OutboxEntry;
    entries.set([entry('tasks:1', 'review'), entry('tasks:2', 'rejected'), entry('tasks:3', 'pending')]);
    const el = await render({});
    const link = el.querySelector('[data-testid="inbox-link"]');
    expect(link?.textContent?.trim()).toBe('2 need review');
    expect(link?.getAttribute('href')).toBe('/inbox');
    entries.set([]);
  });

  it('counts the changes saved on the device while offline', async () => {
    const el = await render({ phase: 'offline', pending: 3 });
    expect(el.querySelector('[data-testid="sync-indicator"]')?.getAttribute('data-state')).toBe('offline');
    expect(el.textContent).toContain('Offline — 3 changes saved on this device');
  });

  it('announces the state in a polite live region', async () => {
    const el = await render({ phase: 'syncing', pending: 1 });
    const live = el.querySelector('[data-testid="sync-label"]');
    expect(live?.getAttribute('aria-live')).toBe('polite');
    expect(live?.textContent).toContain('Syncing 1 change…');
  });

  it('shows how many records need attention, linking to the Sync page', async () => {
    const el = await render({ needsAttention: 2 });
    const link = el.querySelector('[data-testid="needs-attention"]');
    expect(link?.textContent).toContain('2 need attention');
    expect(link?.getAttribute('href')).toBe('/sync');
  });

  it('shows a progress bar while a long pull runs', async () => {
    progress.set({ received: 1500, total: 10000 });
    const el = await render({ phase: 'syncing' });
    expect(el.querySelector('[data-testid="pull-progress"]')?.textContent).toContain('Receiving 1,500 of ~10,000');
    progress.set(null);
  });
});

describe('describeStatus', () => {
  it('says which attempt is running, when the next one starts, and why', () => {
    const text = describeStatus({ ...base, phase: 'retrying', attempts: 3, nextAttemptAt: 10_000, lastError: 'server busy (503)' }, 2_000);
    expect(text).toBe('Retrying (attempt 3, next try in 8 s) — server busy (503)');
  });

  it('says why sync failed', () => {
    expect(describeStatus({ ...base, phase: 'failed', lastError: 'sign in to sync' }, 0)).toBe('Sync failed — sign in to sync');
  });

  it('says synced when nothing waits', () => {
    expect(describeStatus(base, 0)).toBe('Synced');
  });
});

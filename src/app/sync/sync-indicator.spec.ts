import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { SyncIndicator } from './sync-indicator';
import { SyncService } from './sync-service';
import type { SyncStatus } from './sync-status';

describe('SyncIndicator', () => {
  // The indicator only renders SyncService.status; a signal stands in for the replication.
  const status = signal<SyncStatus>({ phase: 'syncing', lastSyncedAt: null, lastError: null });

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideZonelessChangeDetection(), { provide: SyncService, useValue: { status: status.asReadonly() } }],
    });
  });

  async function render(next: SyncStatus): Promise<HTMLElement> {
    status.set(next);
    const fixture = TestBed.createComponent(SyncIndicator);
    await fixture.whenStable();
    return fixture.nativeElement.querySelector('[data-testid="sync-indicator"]') as HTMLElement;
  }

  it('tells the person their work is saved on the device while offline', async () => {
    const el = await render({ phase: 'offline', lastSyncedAt: null, lastError: null });
    expect(el.dataset['state']).toBe('offline');
    expect(el.textContent).toContain('Offline — changes saved on this device');
  });

  it('shows the reason of a sync problem', async () => {
    const el = await render({ phase: 'error', lastSyncedAt: null, lastError: 'server unreachable' });
    expect(el.textContent).toContain('Sync problem');
    expect(el.textContent).toContain('server unreachable');
  });

  it('shows when it last synced, in a live region for screen readers', async () => {
    const el = await render({ phase: 'synced', lastSyncedAt: Date.UTC(2026, 0, 1, 12, 0, 0), lastError: null });
    expect(el.textContent).toContain('Synced');
    expect(el.querySelector('[data-testid="last-synced"]')).not.toBeNull();
    expect(el.getAttribute('aria-live')).toBe('polite');
  });
});

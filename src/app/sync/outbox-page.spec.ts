import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { OutboxPage } from './outbox-page';
import { SyncService } from './sync-service';
import { onLocalWrite, type OutboxEntry } from './queue/outbox-entry';
import type { RecoveredWork } from '../workspaces/lost-access';
import type { SyncStatus } from './sync-status';
import { until } from '../testing/test-database';

function recovered(workspaceId: string, workspaceName: string, docId: string, title: string, deleted = false): RecoveredWork {
  const entry = onLocalWrite(undefined, { collection: 'tasks', docId, label: 'old label', revision: 3, deleted, isInsert: false }, 0);
  return {
    key: `${workspaceId}:tasks:${docId}`, workspaceId, workspaceName, reason: 'NOT_A_MEMBER', recoveredAt: 1, entry,
    localVersion: { id: docId, workspaceId, title, deleted },
  };
}

describe('OutboxPage recovered work', () => {
  // The page renders SyncService's signals and hands the decision to it; plain signals stand in for it here.
  const records = signal<readonly RecoveredWork[]>([]);
  const discarded: string[] = [];
  const status = signal<SyncStatus>({ phase: 'synced', lastSyncedAt: null, lastError: null, attempts: 0, nextAttemptAt: null, pending: 0, needsAttention: 0 });

  beforeEach(() => {
    discarded.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideRouter([]),
        {
          provide: SyncService,
          useValue: {
            entries: signal<readonly OutboxEntry[]>([]).asReadonly(), status: status.asReadonly(), online: signal(true).asReadonly(),
            verifying: signal(false).asReadonly(), lastVerify: signal(null).asReadonly(), recovered: records.asReadonly(),
            discardRecovered: async (workspaceId: string) => void discarded.push(workspaceId),
          },
        },
      ],
    });
  });

  async function render(list: RecoveredWork[]): Promise<HTMLElement> {
    records.set(list);
    const fixture = TestBed.createComponent(OutboxPage);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  const text = (el: Element | null | undefined) => el?.textContent?.trim().replace(/\s+/g, ' ') ?? '';

  it('lists recovered changes per workspace, with its name, the reason in words and each local version', async () => {
    const el = await render([
      recovered('ws-b', 'Crew B', 't1', 'Pump, checked'), recovered('ws-b', 'Crew B', 't2', 'Valve', true), recovered('ws-c', 'Crew C', 't3', 'Hose'),
    ]);
    const groups = [...el.querySelectorAll('[data-testid="recovered-group"]')];
    expect(groups.map((g) => text(g.querySelector('[data-testid="recovered-workspace"]')))).toEqual(['Crew B', 'Crew C']);
    expect(text(groups[0]?.querySelector('[data-testid="recovered-reason"]'))).toBe('You are no longer a member of this workspace.');
    expect([...groups[0]!.querySelectorAll('[data-testid="recovered-row"]')].map((r) => [
      text(r.querySelector('[data-testid="recovered-label"]')), text(r.querySelector('[data-testid="recovered-operation"]')),
    ])).toEqual([['Pump, checked', 'update'], ['Valve', 'delete']]);
  });

  it('shows no recovered section when there is nothing recovered', async () => {
    const el = await render([]);
    expect(el.querySelector('[data-testid="recovered-section"]')).toBeNull();
  });

  it('discards a workspace\'s recovered work only once the person confirms', async () => {
    const el = await render([recovered('ws-b', 'Crew B', 't1', 'Pump'), recovered('ws-c', 'Crew C', 't3', 'Hose')]);
    const confirm = spyOn(window, 'confirm').and.returnValue(false);
    const discard = el.querySelector<HTMLButtonElement>('[data-testid="recovered-group"][data-workspace="ws-b"] [data-testid="discard-recovered"]')!;
    discard.click();
    expect(confirm).toHaveBeenCalledWith('Discard 1 recovered change from Crew B? They are not on the server and cannot be brought back.');
    expect(discarded).toEqual([]);
    confirm.and.returnValue(true);
    discard.click();
    await until(() => discarded.length > 0);
    expect(discarded).toEqual(['ws-b']);
  });
});

import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe, DecimalPipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { SyncService } from './sync-service';
import { injectNow } from './now';
import type { SyncStatus } from './sync-status';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the header says about sync, in words a person reads (and a screen reader announces). */
export function describeStatus(status: SyncStatus, now: number): string {
  const changes = plural(status.pending, 'change', 'changes');
  switch (status.phase) {
    case 'offline':
      return status.pending > 0 ? `Offline — ${changes} saved on this device` : 'Offline — changes are saved on this device';
    case 'syncing':
      return status.pending > 0 ? `Syncing ${changes}…` : 'Syncing…';
    case 'retrying': {
      const seconds = status.nextAttemptAt ? Math.max(0, Math.ceil((status.nextAttemptAt - now) / 1000)) : 0;
      const when = seconds > 0 ? `next try in ${seconds} s` : 'trying now';
      return `Retrying (attempt ${status.attempts}, ${when})${status.lastError ? ` — ${status.lastError}` : ''}`;
    }
    case 'failed':
      return `Sync failed — ${status.lastError ?? 'needs attention'}`;
    case 'synced':
      return 'Synced';
  }
}

/** The header's global sync state, with a link to the Sync page and pull progress. */
@Component({
  selector: 'fb-sync-indicator',
  imports: [DatePipe, DecimalPipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="sync" data-testid="sync-indicator" [attr.data-state]="status().phase" [attr.data-pending]="status().pending">
      <span class="dot" aria-hidden="true"></span>
      <span class="label" role="status" aria-live="polite" data-testid="sync-label">{{ label() }}</span>
      @if (inboxCount() > 0) {
        <a routerLink="/inbox" class="attention" data-testid="inbox-link">{{ inboxCount() }} need review</a>
      }
      @if (status().needsAttention > 0) {
        <a routerLink="/sync" class="attention" data-testid="needs-attention">{{ status().needsAttention }} need attention</a>
      }
      @if (status().lastSyncedAt; as at) {
        <span class="detail" data-testid="last-synced">last synced {{ at | date: 'HH:mm:ss' }}</span>
      }
      <a routerLink="/sync" class="outbox-link" data-testid="sync-page-link">Sync</a>
    </div>
    @if (sync.progress(); as progress) {
      <div class="progress" data-testid="pull-progress">
        <progress [value]="progress.received" [max]="progress.total" aria-label="Receiving data"></progress>
        <span>Receiving {{ progress.received | number }} of ~{{ progress.total | number }}</span>
      </div>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; align-items: flex-end; gap: .25rem; }
    .sync { display: flex; align-items: center; gap: .5rem; font-size: .875rem; flex-wrap: wrap; justify-content: flex-end; }
    .dot { width: .625rem; height: .625rem; border-radius: 50%; background: var(--muted); flex-shrink: 0; }
    [data-state='synced'] .dot { background: var(--ok); }
    [data-state='syncing'] .dot { background: var(--accent); animation: pulse 1s infinite alternate; }
    [data-state='offline'] .dot { background: var(--warn); }
    [data-state='retrying'] .dot { background: var(--warn); animation: pulse 1s infinite alternate; }
    [data-state='failed'] .dot { background: var(--danger); }
    .detail { color: var(--muted); }
    .attention { color: var(--danger); }
    .outbox-link { color: var(--accent); }
    .progress { display: flex; align-items: center; gap: .5rem; font-size: .8rem; color: var(--muted); }
    @keyframes pulse { to { opacity: .3; } }
  `,
})
export class SyncIndicator {
  protected readonly sync = inject(SyncService);
  protected readonly status = this.sync.status;
  private readonly now = injectNow();
  protected readonly label = computed(() => describeStatus(this.status(), this.now()));
  /** Records waiting for the person's decision in the review inbox (reviews and refusals). */
  protected readonly inboxCount = computed(() => this.sync.entries().filter((e) => e.state === 'review' || e.state === 'rejected').length);
}

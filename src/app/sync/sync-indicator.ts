import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { SyncService } from './sync-service';

const LABELS = {
  offline: 'Offline — changes saved on this device',
  syncing: 'Syncing…',
  synced: 'Synced',
  error: 'Sync problem — retrying',
} as const;

/** The header's global sync state, announced politely to screen readers. */
@Component({
  selector: 'fb-sync-indicator',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="sync" data-testid="sync-indicator" [attr.data-state]="status().phase" role="status" aria-live="polite">
      <span class="dot" aria-hidden="true"></span>
      <span class="label">{{ label() }}</span>
      @if (status().phase === 'error' && status().lastError) {
        <span class="detail">{{ status().lastError }}</span>
      }
      @if (status().lastSyncedAt; as at) {
        <span class="detail" data-testid="last-synced">last synced {{ at | date: 'HH:mm:ss' }}</span>
      }
    </div>
  `,
  styles: `
    .sync { display: flex; align-items: center; gap: .5rem; font-size: .875rem; }
    .dot { width: .625rem; height: .625rem; border-radius: 50%; background: var(--muted); }
    [data-state='synced'] .dot { background: var(--ok); }
    [data-state='syncing'] .dot { background: var(--accent); animation: pulse 1s infinite alternate; }
    [data-state='offline'] .dot { background: var(--warn); }
    [data-state='error'] .dot { background: var(--danger); }
    .detail { color: var(--muted); }
    @keyframes pulse { to { opacity: .3; } }
  `,
})
export class SyncIndicator {
  protected readonly status = inject(SyncService).status;
  protected readonly label = computed(() => LABELS[this.status().phase]);
}

import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { OutboxEntry } from './queue/outbox-entry';

/** What one record's sync state is called (DESIGN.md, "Sync states a person sees"). */
export function recordStateLabel(entry: OutboxEntry | undefined, revision: number, online: boolean): string {
  if (!entry) return `Synced · r${revision}`;
  switch (entry.state) {
    case 'pending': return online ? 'Waiting to sync' : 'Saved offline';
    case 'syncing': return 'Syncing…';
    case 'retrying': return `Retrying (attempt ${entry.attempts})`;
    case 'failed': return `Sync failed: ${entry.lastError ?? 'unknown reason'}`;
    case 'rejected': return `Rejected: ${entry.rejection?.message ?? entry.lastError ?? ''}`;
    case 'review': return 'Needs review';
    case 'synced': return `Synced · r${entry.serverRevision ?? revision}`;
  }
}

/** A record's sync state, small, beside the record. */
@Component({
  selector: 'fb-sync-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" data-testid="record-sync-state" [attr.data-state]="entry()?.state ?? 'synced'" [attr.title]="label()">{{ label() }}</span>`,
  styles: `
    .badge { font-size: .72rem; padding: .05rem .4rem; border-radius: 999px; white-space: nowrap; color: var(--muted); }
    .badge[data-state='pending'] { background: #fff4d6; color: #7a5600; }
    .badge[data-state='syncing'] { background: #e3eefb; color: #1d4f91; }
    .badge[data-state='retrying'] { background: #fff4d6; color: #7a5600; }
    .badge[data-state='failed'], .badge[data-state='rejected'] { background: #fde2e1; color: #9b1c1c; }
    .badge[data-state='review'] { background: #efe4fb; color: #5b2a91; }
  `,
})
export class SyncBadge {
  readonly entry = input<OutboxEntry | undefined>();
  readonly revision = input.required<number>();
  readonly online = input(true);
  protected readonly label = computed(() => recordStateLabel(this.entry(), this.revision(), this.online()));
}

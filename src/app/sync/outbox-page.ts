import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { SyncService } from './sync-service';
import { recordStateLabel } from './sync-badge';
import { injectNow } from './now';
import { codeInWords } from '../inbox/reasons';
import type { RecoveredWork } from '../workspaces/lost-access';

/** The Sync page: every local change the server has not accepted, and what is happening to it. */
@Component({
  selector: 'fb-outbox-page',
  imports: [DatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './outbox-page.html',
  styleUrl: './outbox-page.css',
})
export class OutboxPage {
  protected readonly sync = inject(SyncService);
  protected readonly now = injectNow();
  protected readonly retrying = signal(false);
  protected readonly verifyError = signal<string | null>(null);
  protected readonly rows = computed(() =>
    this.sync.entries().map((entry) => ({
      entry,
      state: recordStateLabel(entry, entry.localRevision, this.sync.online()),
      nextRetryIn: entry.nextRetryAt ? Math.max(0, Math.ceil((entry.nextRetryAt - this.now()) / 1000)) : null,
    })),
  );

  protected async retryNow(): Promise<void> {
    this.retrying.set(true);
    try {
      await this.sync.retryNow();
    } finally {
      this.retrying.set(false);
    }
  }

  /** Compares this device's data with the server and repairs ranges that differ. */
  protected async verify(): Promise<void> {
    this.verifyError.set(null);
    try {
      await this.sync.verify();
    } catch (error) {
      this.verifyError.set(error instanceof Error ? error.message : String(error));
    }
  }

  /** Recovered work (pending changes of workspaces the person lost access to), per workspace. */
  protected readonly recovered = computed(() => {
    const groups = new Map<string, { workspaceId: string; workspaceName: string; records: RecoveredWork[] }>();
    for (const record of this.sync.recovered()) {
      const group = groups.get(record.workspaceId) ?? { workspaceId: record.workspaceId, workspaceName: record.workspaceName, records: [] };
      group.records.push(record);
      groups.set(record.workspaceId, group);
    }
    return [...groups.values()];
  });
  protected readonly reasonInWords = codeInWords;

  protected async export(): Promise<void> {
    download(await this.sync.exportPending(), 'fieldbook-pending');
  }

  protected exportRecovered(workspaceId: string): void {
    download(this.sync.exportRecovered(workspaceId), 'fieldbook-recovered');
  }

  protected async discardRecovered(group: { workspaceId: string; workspaceName: string; records: readonly RecoveredWork[] }): Promise<void> {
    const count = group.records.length;
    if (!confirm(`Discard ${count} recovered ${count === 1 ? 'change' : 'changes'} from ${group.workspaceName}? They are not on the server and cannot be brought back.`)) return;
    await this.sync.discardRecovered(group.workspaceId);
  }
}

/** Hands `json` to the browser as a file download. */
function download(json: string, prefix: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${prefix}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
  link.click();
  URL.revokeObjectURL(url);
}

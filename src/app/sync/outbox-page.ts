import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { SyncService } from './sync-service';
import { recordStateLabel } from './sync-badge';
import { injectNow } from './now';

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

  protected async export(): Promise<void> {
    const json = await this.sync.exportPending();
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `fieldbook-pending-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
    link.click();
    URL.revokeObjectURL(url);
  }
}

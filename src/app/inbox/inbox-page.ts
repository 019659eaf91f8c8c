import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SyncService } from '../sync/sync-service';
import { StorageHealth } from '../data/storage-health';
import { isStorageFull, STORAGE_FULL_MESSAGE } from '../data/storage-full';
import { ListsStore } from '../lists/lists-store';
import type { OutboxEntry } from '../sync/queue/outbox-entry';
import { InboxActions } from './inbox-actions';
import { refusalInWords, reviewKind, shown } from './reasons';

/** Fields a person can fix before resubmitting a refused record. */
const EDITABLE: Record<string, readonly string[]> = { tasks: ['title', 'notes'], lists: ['name'], comments: ['body'] };

/**
 * The review inbox: records the merge could not settle and writes the server refused.
 * Nothing here is lost: each shows my version beside the server's and offers the
 * decisions of `inbox-actions.ts`.
 */
@Component({
  selector: 'fb-inbox-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './inbox-page.html',
  styleUrl: './inbox-page.css',
})
export class InboxPage {
  protected readonly sync = inject(SyncService);
  private readonly actions = inject(InboxActions);
  private readonly listsStore = inject(ListsStore);
  private readonly storage = inject(StorageHealth);
  protected readonly shown = shown;
  protected readonly refusalInWords = refusalInWords;
  protected readonly editable = EDITABLE;
  protected readonly error = signal<string | null>(null);
  /** Per record and field: 'mine', 'theirs' or 'edit'. */
  protected readonly choices = signal<Record<string, string>>({});

  protected readonly items = computed(() =>
    this.sync.entries()
      .filter((e) => e.state === 'review' || e.state === 'rejected')
      .map((entry) => ({ entry, kind: entry.state === 'rejected' ? 'rejected' as const : reviewKind(entry.review?.reasons ?? []) })),
  );

  /** Lists a refused task can move to. */
  protected readonly targetLists = computed(() => this.listsStore.lists().filter((l) => !l.archived));

  protected choice(entry: OutboxEntry, field: string): string {
    return this.choices()[`${entry.key}:${field}`] ?? 'mine';
  }

  protected choose(entry: OutboxEntry, field: string, value: string): void {
    this.choices.update((c) => ({ ...c, [`${entry.key}:${field}`]: value }));
  }

  protected async resolve(entry: OutboxEntry, form: HTMLFormElement): Promise<void> {
    const review = entry.review;
    if (!review) return;
    const data = new FormData(form);
    const values: Record<string, unknown> = {};
    for (const { field } of review.reasons) {
      const pick = this.choice(entry, field);
      values[field] = pick === 'theirs' ? review.theirs[field] : pick === 'edit' ? String(data.get(`edit-${field}`) ?? '') : review.mine[field];
    }
    await this.run(() => this.actions.resolveFields(entry, values));
  }

  protected restore(entry: OutboxEntry): Promise<void> {
    return this.run(() => this.actions.restore(entry));
  }

  protected deleteAnyway(entry: OutboxEntry): Promise<void> {
    return this.run(() => this.actions.deleteAnyway(entry));
  }

  protected keepTheirs(entry: OutboxEntry): Promise<void> {
    return this.run(() => this.actions.discard(entry));
  }

  protected resubmit(entry: OutboxEntry, form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const changes: Record<string, unknown> = {};
    for (const field of EDITABLE[entry.collection] ?? []) {
      if (data.has(field)) changes[field] = String(data.get(field));
    }
    return this.run(() => this.actions.resubmit(entry, changes));
  }

  protected move(entry: OutboxEntry, select: HTMLSelectElement): Promise<void> {
    if (!select.value) return Promise.resolve();
    return this.run(() => this.actions.resubmit(entry, { listId: select.value }));
  }

  protected discard(entry: OutboxEntry): Promise<void> {
    if (!confirm(`Discard your version of "${entry.label}"? This cannot be undone.`)) return Promise.resolve();
    return this.run(() => this.actions.discard(entry));
  }

  protected export(entry: OutboxEntry): void {
    const mine = entry.rejection?.mine ?? entry.review?.mine ?? {};
    const json = JSON.stringify({ collection: entry.collection, id: entry.docId, reason: entry.lastError, version: mine }, null, 2);
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `fieldbook-${entry.collection}-${entry.docId}.json`;
    link.click();
    URL.revokeObjectURL(url);
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.error.set(null);
    try {
      await action();
    } catch (error) {
      if (isStorageFull(error)) this.storage.reportFull();
      this.error.set(isStorageFull(error) ? STORAGE_FULL_MESSAGE : error instanceof Error ? error.message : String(error));
    }
  }
}

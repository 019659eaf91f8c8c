import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { ListsStore, LIST_NAME_MAX } from './lists-store';
import type { FieldError } from '../../shared/validate';
import { SyncBadge } from '../sync/sync-badge';
import { SyncService } from '../sync/sync-service';

/** The workspace's lists: select, create, rename, delete. */
@Component({
  selector: 'fb-list-sidebar',
  imports: [SyncBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './list-sidebar.html',
  styleUrl: './list-sidebar.css',
})
export class ListSidebar {
  protected readonly store = inject(ListsStore);
  protected readonly sync = inject(SyncService);
  protected readonly maxName = LIST_NAME_MAX;
  protected readonly editingId = signal<string | null>(null);
  protected readonly errors = signal<readonly FieldError[]>([]);

  protected async create(input: HTMLInputElement): Promise<void> {
    const result = await this.store.create(input.value);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) input.value = '';
  }

  protected async rename(id: string, input: HTMLInputElement): Promise<void> {
    const result = await this.store.rename(id, input.value);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) this.editingId.set(null);
  }

  protected async remove(id: string, name: string): Promise<void> {
    if (!confirm(`Delete the list "${name}" and all its tasks?`)) return;
    const result = await this.store.remove(id);
    this.errors.set(result.ok ? [] : result.errors);
  }

  protected async setArchived(id: string, archived: boolean): Promise<void> {
    const result = await this.store.setArchived(id, archived);
    this.errors.set(result.ok ? [] : result.errors);
  }
}

import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { ScrollingModule } from '@angular/cdk/scrolling';
import { TasksStore } from './tasks-store';
import { ListsStore } from '../lists/lists-store';
import { TaskEditor } from './task-editor';
import { SyncBadge } from '../sync/sync-badge';
import { SyncService } from '../sync/sync-service';
import type { FieldError } from '../../shared/validate';
import type { TaskDoc } from '../../shared/collections';

/** The selected list's tasks, virtually scrolled so thousands stay fast. */
@Component({
  selector: 'fb-task-list',
  imports: [ScrollingModule, TaskEditor, SyncBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './task-list.html',
  styleUrl: './task-list.css',
})
export class TaskList {
  protected readonly tasks = inject(TasksStore);
  protected readonly lists = inject(ListsStore);
  protected readonly sync = inject(SyncService);
  protected readonly editingId = signal<string | null>(null);
  protected readonly errors = signal<readonly FieldError[]>([]);
  protected readonly editing = computed(() => this.tasks.tasks().find((t) => t.id === this.editingId()) ?? null);
  protected readonly openCount = computed(() => this.tasks.tasks().filter((t) => t.status !== 'done').length);

  protected readonly trackById = (_: number, task: TaskDoc): string => task.id;

  protected async add(input: HTMLInputElement): Promise<void> {
    const list = this.lists.selected();
    if (!list) return;
    const result = await this.tasks.create(list.id, input.value);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) input.value = '';
  }

  protected async toggle(id: string): Promise<void> {
    const result = await this.tasks.toggleDone(id);
    this.errors.set(result.ok ? [] : result.errors);
  }
}

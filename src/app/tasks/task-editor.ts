import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { TasksStore, type TaskPatch } from './tasks-store';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskDoc } from '../../shared/collections';
import type { FieldError } from '../../shared/validate';
import { PRIORITY_LABELS, STATUS_LABELS } from './labels';
import { TaskActivity } from './task-activity';

/** Edits one task's title, notes, status, priority and due date; deletes it. */
@Component({
  selector: 'fb-task-editor',
  imports: [TaskActivity],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './task-editor.html',
  styleUrl: './task-editor.css',
})
export class TaskEditor {
  private readonly store = inject(TasksStore);
  readonly task = input.required<TaskDoc>();
  readonly closed = output<void>();
  protected readonly statuses = TASK_STATUSES;
  protected readonly priorities = TASK_PRIORITIES;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly priorityLabels = PRIORITY_LABELS;
  protected readonly errors = signal<readonly FieldError[]>([]);

  protected async save(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const patch: TaskPatch = {
      title: String(data.get('title') ?? ''),
      notes: String(data.get('notes') ?? ''),
      status: String(data.get('status')) as TaskDoc['status'],
      priority: String(data.get('priority')) as TaskDoc['priority'],
      dueAt: String(data.get('dueAt') ?? '') || null,
    };
    const result = await this.store.update(this.task().id, patch);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) this.closed.emit();
  }

  protected async remove(): Promise<void> {
    if (!confirm(`Delete "${this.task().title}"?`)) return;
    const result = await this.store.remove(this.task().id);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) this.closed.emit();
  }
}

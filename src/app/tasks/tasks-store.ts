import { Injectable, inject } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { map, of, switchMap } from 'rxjs';
import { DatabaseService } from '../data/database-service';
import { StorageHealth } from '../data/storage-health';
import { invalid, ok, VIEWER_ERROR, type WriteResult } from '../data/write-result';
import { ListsStore } from '../lists/lists-store';
import { COLLECTIONS, type TaskDoc } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import { uuidv7 } from '../../shared/uuid';
import { validateDocument } from '../../shared/validate';

const tasksDefinition = COLLECTIONS[1];

/** What a person may change on a task. */
export type TaskPatch = Partial<Pick<TaskDoc, 'title' | 'notes' | 'status' | 'priority' | 'dueAt' | 'assigneeId' | 'listId'>>;

/** The tasks of the selected list. */
@Injectable({ providedIn: 'root' })
export class TasksStore {
  private readonly db = inject(DatabaseService).db;
  private readonly listsStore = inject(ListsStore);
  private readonly workspace = inject(WorkspaceContext);
  private readonly storage = inject(StorageHealth);

  readonly tasks = toSignal(
    toObservable(this.listsStore.selected).pipe(
      map((list) => list?.id ?? null),
      switchMap((listId) =>
        listId === null
          ? of([] as TaskDoc[])
          : this.db.tasks
              .find({ selector: { listId }, sort: [{ createdAt: 'asc' }, { id: 'asc' }] })
              .$.pipe(map((docs) => docs.map((d) => d.toJSON() as TaskDoc))),
      ),
    ),
    { initialValue: [] as TaskDoc[] },
  );

  async create(listId: string, title: string): Promise<WriteResult<TaskDoc>> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const now = new Date().toISOString();
    const doc: TaskDoc = {
      id: uuidv7(),
      workspaceId: this.workspace.activeId(),
      revision: 1,
      updatedAt: now,
      updatedBy: null,
      listId,
      title: title.trim(),
      notes: '',
      status: 'todo',
      priority: 'none',
      dueAt: null,
      assigneeId: null,
      createdAt: now,
    };
    const errors = validateDocument(tasksDefinition, doc);
    if (errors.length > 0) return invalid(errors);
    return this.storage.write(() => this.db.tasks.insert(doc), doc);
  }

  async update(id: string, patch: TaskPatch): Promise<WriteResult> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const doc = await this.db.tasks.findOne(id).exec();
    if (!doc) return invalid([{ field: 'id', message: 'This task was deleted' }]);
    const clean: TaskPatch = { ...patch };
    if (clean.title !== undefined) clean.title = clean.title.trim();
    if (clean.dueAt === '') clean.dueAt = null;
    const errors = validateDocument(tasksDefinition, { ...(doc.toJSON() as TaskDoc), ...clean });
    if (errors.length > 0) return invalid(errors);
    return this.storage.write(() => doc.incrementalPatch(clean), undefined);
  }

  async toggleDone(id: string): Promise<WriteResult> {
    const doc = await this.db.tasks.findOne(id).exec();
    if (!doc) return ok(undefined);
    return this.storage.write(() => doc.incrementalModify((data) => ({ ...data, status: data.status === 'done' ? 'todo' : 'done' })), undefined);
  }

  async remove(id: string): Promise<WriteResult> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const doc = await this.db.tasks.findOne(id).exec();
    if (!doc) return ok(undefined);
    return this.storage.write(() => doc.incrementalRemove(), undefined);
  }
}

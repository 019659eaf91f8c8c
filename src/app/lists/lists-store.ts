import { Injectable, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';
import { DatabaseService } from '../data/database-service';
import { StorageHealth } from '../data/storage-health';
import { invalid, ok, VIEWER_ERROR, type WriteResult } from '../data/write-result';
import { listSchema, COLLECTIONS, type ListDoc } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import { uuidv7 } from '../../shared/uuid';
import { validateDocument } from '../../shared/validate';

const SELECTED_KEY = 'fieldbook.selectedList';
const listsDefinition = COLLECTIONS[0];

/** The workspace's lists and which one is selected. */
@Injectable({ providedIn: 'root' })
export class ListsStore {
  private readonly db = inject(DatabaseService).db;
  private readonly workspace = inject(WorkspaceContext);
  private readonly storage = inject(StorageHealth);
  private readonly selectedId = signal<string | null>(localStorage.getItem(SELECTED_KEY));

  /** The active workspace's lists (the database may hold other workspaces of the person). */
  readonly lists = toSignal(
    this.db.lists
      .find({ selector: { workspaceId: this.workspace.activeId() }, sort: [{ createdAt: 'asc' }, { id: 'asc' }] })
      .$.pipe(map((docs) => docs.map((d) => d.toJSON() as ListDoc))),
    { initialValue: [] as ListDoc[] },
  );

  /** The selected list, or the first one when the selection no longer exists. */
  readonly selected = computed(() => {
    const lists = this.lists();
    return lists.find((l) => l.id === this.selectedId()) ?? lists[0] ?? null;
  });

  select(id: string): void {
    this.selectedId.set(id);
    localStorage.setItem(SELECTED_KEY, id);
  }

  async create(name: string): Promise<WriteResult<ListDoc>> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const now = new Date().toISOString();
    const doc: ListDoc = {
      id: uuidv7(),
      workspaceId: this.workspace.activeId(),
      revision: 1,
      updatedAt: now,
      updatedBy: null,
      name: name.trim(),
      archived: false,
      createdAt: now,
    };
    const errors = validateDocument(listsDefinition, doc);
    if (errors.length > 0) return invalid(errors);
    const result = await this.storage.write(() => this.db.lists.insert(doc), doc);
    if (result.ok) this.select(doc.id);
    return result;
  }

  async rename(id: string, name: string): Promise<WriteResult> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const trimmed = name.trim();
    const errors = validateDocument(listsDefinition, { ...this.requireList(id), name: trimmed });
    if (errors.length > 0) return invalid(errors);
    const doc = await this.db.lists.findOne(id).exec();
    if (!doc) return invalid([{ field: 'id', message: 'This list no longer exists' }]);
    return this.storage.write(() => doc.incrementalPatch({ name: trimmed }), undefined);
  }

  /**
   * Archives or unarchives a list. Only owners may: the server refuses anyone else, and the
   * refusal lands in the review inbox with the list showing the server's state.
   */
  async setArchived(id: string, archived: boolean): Promise<WriteResult> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const doc = await this.db.lists.findOne(id).exec();
    if (!doc) return ok(undefined);
    return this.storage.write(() => doc.incrementalPatch({ archived }), undefined);
  }

  /** Deletes the list and its tasks (tombstones, replicated like any change). */
  async remove(id: string): Promise<WriteResult> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    return this.storage.write(async () => {
      const tasks = await this.db.tasks.find({ selector: { listId: id } }).exec();
      await Promise.all(tasks.map((t) => t.incrementalRemove()));
      const doc = await this.db.lists.findOne(id).exec();
      await doc?.incrementalRemove();
    }, undefined);
  }

  private requireList(id: string): ListDoc {
    const list = this.lists().find((l) => l.id === id);
    if (!list) throw new Error(`Unknown list ${id}`);
    return list;
  }
}

export const LIST_NAME_MAX = listSchema.properties.name.maxLength;

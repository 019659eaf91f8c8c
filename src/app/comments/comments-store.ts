import { Injectable, inject } from '@angular/core';
import { map, type Observable } from 'rxjs';
import { DatabaseService } from '../data/database-service';
import { StorageHealth } from '../data/storage-health';
import { invalid, VIEWER_ERROR, type WriteResult } from '../data/write-result';
import { COLLECTIONS, type CommentDoc } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import { uuidv7 } from '../../shared/uuid';
import { validateDocument } from '../../shared/validate';

const commentsDefinition = COLLECTIONS.find((c) => c.name === 'comments')!;

/** Comments on tasks: append-only, so they sync without ever conflicting. */
@Injectable({ providedIn: 'root' })
export class CommentsStore {
  private readonly db = inject(DatabaseService).db;
  private readonly workspace = inject(WorkspaceContext);
  private readonly storage = inject(StorageHealth);

  /** The task's comments, oldest first. */
  forTask(taskId: string): Observable<CommentDoc[]> {
    return this.db.comments
      .find({ selector: { taskId }, sort: [{ createdAt: 'asc' }, { id: 'asc' }] })
      .$.pipe(map((docs) => docs.map((d) => d.toJSON() as CommentDoc)));
  }

  async add(taskId: string, body: string): Promise<WriteResult<CommentDoc>> {
    if (!this.workspace.canEdit()) return invalid([VIEWER_ERROR]);
    const now = new Date().toISOString();
    const doc: CommentDoc = {
      id: uuidv7(), workspaceId: this.workspace.activeId(), revision: 1, updatedAt: now, updatedBy: null,
      taskId, body: body.trim(), createdAt: now,
    };
    const errors = validateDocument(commentsDefinition, doc);
    if (errors.length > 0) return invalid(errors);
    return this.storage.write(() => this.db.comments.insert(doc), doc);
  }
}

import { Injectable, inject } from '@angular/core';
import { map, type Observable } from 'rxjs';
import { DatabaseService } from '../data/database-service';
import { invalid, ok, type WriteResult } from '../data/write-result';
import { COLLECTIONS, DEFAULT_WORKSPACE_ID, type CommentDoc } from '../../shared/collections';
import { uuidv7 } from '../../shared/uuid';
import { validateDocument } from '../../shared/validate';

const commentsDefinition = COLLECTIONS.find((c) => c.name === 'comments')!;

/** Comments on tasks: append-only, so they sync without ever conflicting. */
@Injectable({ providedIn: 'root' })
export class CommentsStore {
  private readonly db = inject(DatabaseService).db;

  /** The task's comments, oldest first. */
  forTask(taskId: string): Observable<CommentDoc[]> {
    return this.db.comments
      .find({ selector: { taskId }, sort: [{ createdAt: 'asc' }, { id: 'asc' }] })
      .$.pipe(map((docs) => docs.map((d) => d.toJSON() as CommentDoc)));
  }

  async add(taskId: string, body: string): Promise<WriteResult<CommentDoc>> {
    const now = new Date().toISOString();
    const doc: CommentDoc = {
      id: uuidv7(), workspaceId: DEFAULT_WORKSPACE_ID, revision: 1, updatedAt: now, updatedBy: null,
      taskId, body: body.trim(), createdAt: now,
    };
    const errors = validateDocument(commentsDefinition, doc);
    if (errors.length > 0) return invalid(errors);
    await this.db.comments.insert(doc);
    return ok(doc);
  }
}

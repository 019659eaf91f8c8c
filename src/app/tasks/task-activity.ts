import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { switchMap } from 'rxjs';
import { CommentsStore } from '../comments/comments-store';
import { SyncService } from '../sync/sync-service';
import type { CommentDoc } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import type { FieldError } from '../../shared/validate';

interface Revision {
  revision: number;
  updatedAt: string;
  updatedByEmail: string | null;
  deleted: boolean;
  changes: { field: string; from: string | null; to: string | null }[];
}

const HISTORY = `query History($workspaceId: ID!, $collection: CollectionName!, $id: ID!) {
  history(workspaceId: $workspaceId, collection: $collection, id: $id) {
    revision updatedAt updatedByEmail deleted changes { field from to }
  }
}`;

/** A task's comments (local, synced) and its history (from the server, on request). */
@Component({
  selector: 'fb-task-activity',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="comments" aria-label="Comments">
      <h3>Comments</h3>
      <ul>
        @for (c of comments(); track c.id) {
          <li data-testid="comment"><span class="body">{{ c.body }}</span> <span class="meta">{{ c.createdAt | date: 'short' }}</span></li>
        } @empty { <li class="meta">No comments yet.</li> }
      </ul>
      <form (submit)="$event.preventDefault(); add(body)">
        <textarea #body rows="2" aria-label="New comment" data-testid="comment-input" maxlength="5000"></textarea>
        <button type="submit" data-testid="comment-submit">Comment</button>
      </form>
      @for (error of errors(); track error.field) { <p class="error" role="alert">{{ error.message }}</p> }
    </section>
    <section class="history" aria-label="History">
      <h3>History <button type="button" (click)="loadHistory()" data-testid="history-load">{{ history() ? 'Refresh' : 'Show' }}</button></h3>
      @if (historyError(); as message) { <p class="meta" data-testid="history-error">History is available online ({{ message }}).</p> }
      @if (history(); as revisions) {
        <ol>
          @for (r of revisions; track r.revision) {
            <li data-testid="history-entry" [attr.data-revision]="r.revision">
              r{{ r.revision }} · {{ r.updatedByEmail ?? 'someone' }} · {{ r.updatedAt | date: 'short' }}
              @if (r.deleted) { · deleted }
              <ul>
                @for (c of r.changes; track c.field) {
                  <li data-testid="history-change">{{ c.field }}: {{ c.from ?? '—' }} → {{ c.to ?? '—' }}</li>
                }
              </ul>
            </li>
          }
        </ol>
      }
    </section>
  `,
  styles: `
    :host { display: block; margin-top: 1rem; font-size: .875rem; }
    h3 { font-size: .9rem; margin: .6rem 0 .3rem; }
    ul, ol { margin: 0; padding-left: 1.1rem; }
    .meta { color: var(--muted); font-size: .8rem; }
    textarea { width: 100%; }
    .error { color: var(--danger); }
  `,
})
export class TaskActivity {
  private readonly store = inject(CommentsStore);
  private readonly sync = inject(SyncService);
  private readonly workspace = inject(WorkspaceContext);
  readonly taskId = input.required<string>();
  protected readonly comments = toSignal(toObservable(this.taskId).pipe(switchMap((id) => this.store.forTask(id))), { initialValue: [] as CommentDoc[] });
  protected readonly errors = signal<readonly FieldError[]>([]);
  private readonly loaded = signal<{ taskId: string; revisions: Revision[] } | null>(null);
  protected readonly history = computed(() => (this.loaded()?.taskId === this.taskId() ? this.loaded()!.revisions : null));
  protected readonly historyError = signal<string | null>(null);

  protected async add(body: HTMLTextAreaElement): Promise<void> {
    const result = await this.store.add(this.taskId(), body.value);
    this.errors.set(result.ok ? [] : result.errors);
    if (result.ok) body.value = '';
  }

  protected async loadHistory(): Promise<void> {
    const taskId = this.taskId();
    this.historyError.set(null);
    try {
      const data = await this.sync.query<{ history: Revision[] }>(HISTORY, { workspaceId: this.workspace.activeId(), collection: 'tasks', id: taskId });
      this.loaded.set({ taskId, revisions: data.history });
    } catch (error) {
      this.historyError.set(error instanceof Error ? error.message : String(error));
    }
  }
}

import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { APP_CONFIG } from '../config';
import { DatabaseService } from '../data/database-service';
import { DEFAULT_WORKSPACE_ID } from '../../shared/collections';
import { browserConnectivity } from './connectivity';
import { replicateWorkspace, type Rejection, type WorkspaceReplication } from './replication';
import { syncStatus$, type SyncStatus } from './sync-status';
import { of, switchMap, type Observable, ReplaySubject, EMPTY, filter } from 'rxjs';

const INITIAL: SyncStatus = { phase: 'syncing', lastSyncedAt: null, lastError: null };

/** Runs replication for the current workspace and exposes its state as signals. */
@Injectable({ providedIn: 'root' })
export class SyncService {
  private readonly config = inject(APP_CONFIG);
  private readonly database = inject(DatabaseService);
  private readonly connectivity = browserConnectivity(window);
  private readonly replication$ = new ReplaySubject<WorkspaceReplication>(1);
  private replication: WorkspaceReplication | undefined;
  private readonly rejectionsState = signal<readonly (Rejection & { collection: string })[]>([]);

  /** The global sync indicator's state. */
  readonly status = toSignal(
    this.replication$.pipe(
      switchMap((r): Observable<SyncStatus> =>
        syncStatus$({ online$: this.connectivity.online$, active$: r.active$, error$: r.error$, progress$: r.progress$ })),
    ),
    { initialValue: INITIAL },
  );
  /** Writes the server refused under its rules (kept with their reasons). */
  readonly rejections = this.rejectionsState.asReadonly();

  constructor() {
    inject(DestroyRef).onDestroy(() => void this.replication?.cancel());
    // Connectivity returning: pull at once instead of waiting for the next retry.
    this.connectivity.online$
      .pipe(filter(Boolean), switchMap(() => (this.replication ? of(this.replication) : EMPTY)))
      .subscribe((r) => r.reSync());
  }

  start(): void {
    if (this.replication) return;
    this.replication = replicateWorkspace(this.database.db, {
      graphqlHttpUrl: this.config.graphqlHttpUrl,
      graphqlWsUrl: this.config.graphqlWsUrl,
      workspaceId: DEFAULT_WORKSPACE_ID,
      onRejections: (collection, rejections) =>
        this.rejectionsState.update((all) => [...all, ...rejections.map((r) => ({ ...r, collection }))]),
    });
    this.replication$.next(this.replication);
  }

  /** Resolves when local and server state agree (used by tests and before sign-out). */
  awaitInSync(): Promise<void> {
    return this.replication ? this.replication.awaitInSync() : Promise.resolve();
  }
}

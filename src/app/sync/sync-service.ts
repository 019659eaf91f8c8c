import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { concatMap, distinctUntilChanged, EMPTY, exhaustMap, filter, of, ReplaySubject, Subscription, switchMap, type Observable } from 'rxjs';
import { APP_CONFIG } from '../config';
import { DatabaseService } from '../data/database-service';
import { StorageHealth } from '../data/storage-health';
import { isStorageFull } from '../data/storage-full';
import { AuthService } from '../auth/auth-service';
import { DEFAULT_WORKSPACE_ID, type CollectionName } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import { capacitorConnectivity, capacitorLifecycle, type AppLifecycle, type Connectivity } from './connectivity';
import { forgetWorkspaceReplication, replicateWorkspace, SYNC_HEADERS, type ReplicationOptions, type WorkspaceReplication } from './replication';
import { TabLeadership } from './tab-leadership';
import { syncStatus$, type SyncStatus } from './sync-status';
import { systemClock } from './queue/clock';
import { RetryGate } from './queue/retry-gate';
import { SyncQueue } from './queue/sync-queue';
import { NO_ACCESS, SyncTransport, type PullProgress } from './queue/transport';
import { RxdbOutboxStore } from './queue/rxdb-outbox-store';
import type { LocalWrite, OutboxEntry } from './queue/outbox-entry';
import { toWireDocument } from '../data/wire';
import { planRepair } from './reconcile';
import { RecoveredWorkStore } from '../data/recovered-work-store';
import { purgeWorkspace } from '../data/purge-workspace';
import {
  exportRecovered, fallbackWorkspace, hasLostAccess, lostAccessMessage, recoverPending, type RecoveredWork,
} from '../workspaces/lost-access';
import type { WorkspaceInfo } from '../workspaces/workspace-context';

const INITIAL: SyncStatus = {
  phase: 'syncing', lastSyncedAt: null, lastError: null, attempts: 0, nextAttemptAt: null, pending: 0, needsAttention: 0,
};

/** A long pull in progress: documents received so far and the estimated total. */
export interface PullProgressState {
  readonly received: number;
  readonly total: number;
}

/** The outcome of a verification against the server's digests. */
export interface VerifyResult {
  readonly at: number;
  /** Buckets (id ranges) compared over all collections. */
  readonly buckets: number;
  /** Ranges that differed and were repaired; 0 when everything matched. */
  readonly repaired: number;
}

/** After this long without a sync, the client verifies its copy once it is back. */
export const VERIFY_AFTER_OFFLINE_MS = 3_600_000;
const LAST_SYNCED_KEY = 'fieldbook.lastSyncedAt';
/** What the person was told after losing access, kept across the restart that leaves the workspace. */
const LOST_ACCESS_KEY = 'fieldbook.lostAccess.notice';

/** Pulls smaller than this show no progress bar. */
const PROGRESS_THRESHOLD = 200;

/**
 * Runs replication for the current workspace through the sync queue's transport and
 * exposes what it does as signals: the header summary, every record's sync state (the
 * outbox), and pull progress. The logic lives in plain TypeScript under `./queue`; this
 * service only wires it to the device (connectivity, lifecycle) and to Angular.
 */
@Injectable({ providedIn: 'root' })
export class SyncService {
  private readonly config = inject(APP_CONFIG);
  private readonly database = inject(DatabaseService);
  private readonly auth = inject(AuthService);
  private readonly workspace = inject(WorkspaceContext);
  private readonly storage = inject(StorageHealth);
  private readonly connectivity: Connectivity = capacitorConnectivity(navigator.onLine);
  private readonly lifecycle: AppLifecycle = capacitorLifecycle();
  private readonly gate = new RetryGate(systemClock, navigator.onLine);
  /** The outbox, recovered work, and the replication while this tab leads (null in the other tabs). */
  private readonly ready$ = new ReplaySubject<{ replication: WorkspaceReplication | null; queue: SyncQueue; recovered: RecoveredWorkStore }>(1);
  private replication: WorkspaceReplication | undefined;
  private replicationSubscriptions = new Subscription();
  private running = false;
  private queue: SyncQueue | undefined;
  private transport: SyncTransport | undefined;
  private recoveredStore: RecoveredWorkStore | undefined;
  private readonly earlyWrites: LocalWrite[] = [];
  private readonly progressState = signal<PullProgressState | null>(null);
  private readonly pullRun = new Map<string, { received: number; remaining: number }>();
  /** Records refused with the server's document, until the conflict handler has taken it. */
  private readonly refused = new Set<string>();

  /** The header's summary. */
  readonly status = toSignal(
    this.ready$.pipe(
      switchMap(({ replication, queue }): Observable<SyncStatus> =>
        syncStatus$({
          online$: this.connectivity.online$,
          active$: replication?.active$ ?? of(false),
          progress$: replication?.progress$ ?? EMPTY,
          gate$: this.gate.changes(),
          entries$: queue.entries$,
        })),
    ),
    { initialValue: INITIAL },
  );

  /** Every record with changes the server has not accepted, oldest change first. */
  readonly entries = toSignal(this.ready$.pipe(switchMap(({ queue }) => queue.entries$)), { initialValue: [] as readonly OutboxEntry[] });

  /** Sync state per record key (`tasks:<id>`); a record without an entry is synced. */
  readonly entriesByKey = computed(() => new Map(this.entries().map((e) => [e.key, e])));

  /** Pending changes kept from workspaces the person lost access to (local only, never pushed). */
  readonly recovered = toSignal(this.ready$.pipe(switchMap(({ recovered }) => recovered.watch())), { initialValue: [] as readonly RecoveredWork[] });

  private readonly noticeState = signal<string | null>(localStorage.getItem(this.noticeKey()));
  /** "You were removed from Crew B. ..." until the person dismisses it. */
  readonly lostAccessNotice = this.noticeState.asReadonly();

  readonly online = toSignal(this.connectivity.online$, { initialValue: navigator.onLine });

  /** A long pull in progress (first sync on a device, after a long time offline), or null. */
  readonly progress = this.progressState.asReadonly();

  private readonly verifyState = signal<VerifyResult | null>(null);
  private readonly verifyingState = signal(false);
  /** The last verification's outcome, or null. */
  readonly lastVerify = this.verifyState.asReadonly();
  readonly verifying = this.verifyingState.asReadonly();

  constructor() {
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(() => void this.replication?.cancel());
    this.connectivity.online$.pipe(switchMap((online) => (this.queue ? [online] : EMPTY))).subscribe((online) => this.onConnectivity(online));
    this.lifecycle.active$.pipe(filter(() => this.replication !== undefined)).subscribe((active) => void this.onLifecycle(active));
    // Remember the last sync across reloads, to know when the device was away for long.
    toObservable(this.status).subscribe(({ lastSyncedAt }) => {
      if (lastSyncedAt !== null) localStorage.setItem(LAST_SYNCED_KEY, String(lastSyncedAt));
    });
  }

  /** Opens the signed-in person's local database with the hooks the outbox needs. */
  openDatabase(userId: string): Promise<unknown> {
    return this.database.open({
      onLocalWrite: (write) => {
        if (this.queue) this.queue.recordLocalWrite(write).catch((error: unknown) => {
          if (!this.onStorageError(error)) throw error;
        });
        else this.earlyWrites.push(write);
      },
      onReview: (collection, id, review, versions) => {
        const reason = review.map((r) => (r.reason === 'same-field' ? `${r.field} changed on both sides` : r.reason.replace('-', ' '))).join('; ');
        void this.queue?.needsReview(collection, id, reason, { reasons: review, ...versions });
      },
      takeRefused: (collection, id) => this.refused.delete(`${collection}:${id}`),
      onResolved: (collection, id, pushed, resolution) => void this.queue?.conflictResolved(collection, id, pushed, resolution),
    }, userId);
  }

  /** True once replication runs (a person is signed in and their database is open). */
  get started(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const db = this.database.db;
    const queue = new SyncQueue(new RxdbOutboxStore(db.outbox), systemClock);
    this.earlyWrites.splice(0).forEach((w) => void queue.recordLocalWrite(w));
    this.transport = new SyncTransport({
      fetch: this.auth.fetch,
      endpoint: this.config.graphqlHttpUrl,
      headers: SYNC_HEADERS,
      queue,
      gate: this.gate,
      clock: systemClock,
      isOnline: () => this.connectivity.isOnline(),
      onPullProgress: (p) => this.onPullProgress(p),
      // Deletions were purged before we saw them: the fresh pull cannot remove our copies.
      onCheckpointExpired: () => void this.verifyQuietly(),
      onRefused: (collection, id) => this.refused.add(`${collection}:${id}`),
    });
    this.queue = queue;
    const recovered = new RecoveredWorkStore(db.recovered);
    this.recoveredStore = recovered;
    // A new sign-in after the server ended the session lets the held sync go again.
    this.auth.manager.changes().subscribe((session) => {
      if (session?.refreshToken) this.gate.release();
    });
    // Pulled documents refused for space were dropped by RxDB, and a later pull may have moved
    // its checkpoint past them: once space returns, verify against the server's digests,
    // which fetches exactly what is missing.
    this.storage.recovered$.subscribe(() => {
      this.replication?.reSync();
      void this.verifyQuietly();
    });
    // The server refused the person in this workspace: find out whether they lost access.
    this.gate.changes().pipe(
      distinctUntilChanged((a, b) => a.heldReason === b.heldReason && a.online === b.online),
      filter((state) => state.heldReason === NO_ACCESS && state.online),
      exhaustMap(() => this.checkAccess()),
    ).subscribe();
    // Removed from a workspace this device is not in right now: its data leaves too.
    this.workspace.dropped$.pipe(
      concatMap((dropped) => dropped.filter((w) => w.id !== this.workspace.activeId())),
      concatMap((w) => this.dropWorkspace(w, () => forgetWorkspaceReplication(db, this.replicationOptions(w.id)))),
    ).subscribe();
    this.gate.setOnline(this.connectivity.isOnline());
    // Until this tab leads, it shows what the leading tab records in the shared outbox.
    this.ready$.next({ replication: null, queue, recovered });
    new TabLeadership(`fieldbook-sync-${db.name}`, { lead: () => this.lead(queue, recovered), stepDown: () => this.stepDown(queue, recovered) }).start();
    this.verifyIfAwayLong();
  }

  /** This tab replicates for all tabs of the device. */
  private lead(queue: SyncQueue, recovered: RecoveredWorkStore): void {
    const replication = replicateWorkspace(this.database.db, this.replicationOptions(this.workspace.activeId()));
    this.replicationSubscriptions.add(replication.active$.pipe(filter((active) => !active)).subscribe(() => {
      this.pullRun.clear();
      this.progressState.set(null);
    }));
    this.replicationSubscriptions.add(replication.error$.subscribe((error) => void this.onStorageError(error)));
    this.replication = replication;
    this.ready$.next({ replication, queue, recovered });
  }

  /** This tab is freezing: its replication stops, so another tab's can start. */
  private stepDown(queue: SyncQueue, recovered: RecoveredWorkStore): void {
    const replication = this.replication;
    this.replication = undefined;
    this.replicationSubscriptions.unsubscribe();
    this.replicationSubscriptions = new Subscription();
    void replication?.cancel();
    this.ready$.next({ replication: null, queue, recovered });
  }

  /**
   * Compares the local copy with the server's digests and repairs the ranges that
   * differ (see `reconcile.ts`). Waits for the sync to settle first, so unpushed local
   * changes do not count as differences.
   */
  async verify(): Promise<VerifyResult> {
    const { replication, transport } = this;
    if (!transport) throw new Error('sync has not started');
    if (!replication) throw new Error('Another tab of Fieldbook syncs for this device: verify there');
    this.verifyingState.set(true);
    try {
      await replication.awaitInSync();
      const db = this.database.db;
      const plan = await planRepair({
        fetch: this.auth.fetch,
        endpoint: this.config.graphqlHttpUrl,
        headers: SYNC_HEADERS,
        workspaceId: this.workspace.activeId(),
        localDocuments: async (collection) => {
          const docs = await (db[collection] as unknown as { find(): { exec(): Promise<{ toJSON(withMeta: true): Record<string, unknown> }[]> } }).find().exec();
          return docs.map((d) => toWireDocument(d.toJSON(true)) as Record<string, unknown> & { id: string; revision: number });
        },
        pendingIds: (collection) => new Set(this.entries().filter((e) => e.collection === collection).map((e) => e.docId)),
      });
      const delivered = [...plan.repairs].map(([collection, docs]) => transport.repairOnNextPull(collection, docs));
      if (delivered.length > 0) {
        replication.reSync();
        await Promise.all(delivered);
        await replication.awaitInSync();
      }
      const result = { at: Date.now(), buckets: plan.buckets, repaired: plan.differing };
      this.verifyState.set(result);
      return result;
    } finally {
      this.verifyingState.set(false);
    }
  }

  /** Verifies when the last sync is older than `VERIFY_AFTER_OFFLINE_MS` (a long time away). */
  private verifyIfAwayLong(): void {
    const last = Number(localStorage.getItem(LAST_SYNCED_KEY) ?? NaN);
    if (Number.isFinite(last) && Date.now() - last > VERIFY_AFTER_OFFLINE_MS && this.connectivity.isOnline()) void this.verifyQuietly();
  }

  private async verifyQuietly(): Promise<void> {
    if (this.verifyingState()) return;
    try {
      await this.verify();
    } catch {
      // Offline again or the server is busy: the next return or the Verify button tries again.
    }
  }

  /**
   * Sync was refused with FORBIDDEN: asks the server for the person's workspaces. Only if
   * the active one is really gone do they leave it; a refusal for another reason, or no
   * answer (offline, server busy), changes nothing, and the next change of the held
   * gate (back online) asks again.
   */
  private async checkAccess(): Promise<void> {
    const workspaceId = this.workspace.activeId();
    const name = this.workspace.active()?.name ?? 'this workspace';
    let workspaces: readonly WorkspaceInfo[];
    try {
      workspaces = await this.workspace.refresh();
    } catch {
      return;
    }
    if (hasLostAccess(workspaceId, workspaces)) await this.leaveLostWorkspace({ id: workspaceId, name }, workspaces);
  }

  /**
   * The person lost access to `workspace`. In this order, so that a crash at any step
   * loses nothing and running again finishes the job: their pending changes of it are
   * kept as recovered work, then leave the outbox; the workspace's replication stops and
   * forgets its checkpoints; its documents leave the device (`purge-workspace.ts`); the
   * app restarts on another of their workspaces with a message saying what happened.
   */
  private async leaveLostWorkspace(workspace: { id: string; name: string }, workspaces: readonly WorkspaceInfo[]): Promise<void> {
    const replication = this.replication;
    if (!replication) return;
    await this.dropWorkspace(workspace, () => replication.remove());
    const next = fallbackWorkspace(workspaces, DEFAULT_WORKSPACE_ID);
    if (next) this.workspace.switchTo(next.id);
  }

  /** Recovered work kept, outbox entries gone, replication forgotten (`stopReplication`), documents purged, person told. */
  private async dropWorkspace(workspace: { id: string; name: string }, stopReplication: () => Promise<void>): Promise<void> {
    const { queue, recoveredStore } = this;
    if (!queue || !recoveredStore) return;
    const recovered = await recoverPending(await queue.all(), (collection, id) => this.localVersion(collection, id), workspace, Date.now());
    await recoveredStore.keep(recovered);
    for (const record of recovered) await queue.forget(record.entry.collection, record.entry.docId);
    await stopReplication();
    await purgeWorkspace(this.database.db, workspace.id);
    const message = lostAccessMessage(workspace.name, recovered.length);
    localStorage.setItem(this.noticeKey(), message);
    this.noticeState.set(message);
  }

  private replicationOptions(workspaceId: string): ReplicationOptions {
    return {
      graphqlHttpUrl: this.config.graphqlHttpUrl,
      graphqlWsUrl: this.config.graphqlWsUrl,
      workspaceId,
      fetch: this.transport!.fetch,
      connectionParams: () => this.auth.connectionParams(),
    };
  }

  dismissLostAccessNotice(): void {
    localStorage.removeItem(this.noticeKey());
    this.noticeState.set(null);
  }

  /** Recovered work as a JSON document (all of it, or one workspace's). */
  exportRecovered(workspaceId?: string): string {
    return exportRecovered(this.recovered().filter((r) => workspaceId === undefined || r.workspaceId === workspaceId), new Date());
  }

  /** The person discarded a lost workspace's recovered work, knowingly. */
  async discardRecovered(workspaceId: string): Promise<void> {
    await this.recoveredStore?.discard(this.recovered().filter((r) => r.workspaceId === workspaceId).map((r) => r.key));
  }

  private noticeKey(): string {
    return `${LOST_ACCESS_KEY}.${this.auth.session()?.userId ?? 'nobody'}`;
  }

  /** The record as stored on this device, tombstones included (a pending delete has a version too). */
  private async localVersion(collection: CollectionName, docId: string): Promise<Record<string, unknown> | null> {
    const [stored] = await this.database.db[collection].storageInstance.findDocumentsById([docId], true);
    return stored ? toWireDocument(stored as unknown as Record<string, unknown>) : null;
  }

  /** Try everything now: skip the backoff wait and resend records held back after failing alone. */
  async retryNow(): Promise<void> {
    this.gate.open();
    this.replication?.reSync();
    const parked = this.entries().filter((e) => e.state === 'failed' && e.parked);
    for (const entry of parked) await this.transport?.retryParked(entry.collection, entry.parked!);
  }

  /** Every pending change with its local version, as a JSON document for the person to keep. */
  async exportPending(): Promise<string> {
    const entries = this.entries();
    const records = await Promise.all(entries.map(async (entry) => {
      const localVersion = (await this.localVersion(entry.collection, entry.docId)) ?? entry.parked?.newDocumentState ?? null;
      return { ...entry, localVersion };
    }));
    return JSON.stringify({ exportedAt: new Date().toISOString(), workspaceId: this.workspace.activeId(), records }, null, 2);
  }

  /** The person decided a review or refusal of this record (see `inbox-actions.ts`). */
  async decided(collection: CollectionName, docId: string): Promise<void> {
    await this.queue?.decided(collection, docId);
  }

  /** Drops the record's entry: the person discarded their version. */
  async forget(collection: CollectionName, docId: string): Promise<void> {
    await this.queue?.forget(collection, docId);
  }

  /** One GraphQL query straight to the server (history): not part of replication, not queued. */
  async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await this.auth.fetch(this.config.graphqlHttpUrl, {
      method: 'POST',
      headers: { ...SYNC_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!json.data) throw new Error(json.errors?.[0]?.message ?? `server answered ${response.status}`);
    return json.data;
  }

  /** Resolves when local and server state agree. */
  awaitInSync(): Promise<void> {
    return this.replication ? this.replication.awaitInSync() : Promise.resolve();
  }

  /** True when a write of the sync machinery (pulled documents, the outbox) was refused for space. */
  private onStorageError(error: unknown): boolean {
    if (!isStorageFull(error)) return false;
    this.storage.reportFull();
    return true;
  }

  private onConnectivity(online: boolean): void {
    this.gate.setOnline(online);
    if (online) this.verifyIfAwayLong();
    if (online) this.replication?.reSync();
    else void this.queue?.wentOffline();
  }

  private async onLifecycle(active: boolean): Promise<void> {
    if (active) {
      if (this.lifecycle.pausesInBackground) await this.replication?.resume();
      this.gate.open();
      this.verifyIfAwayLong();
      this.replication?.reSync();
    } else if (this.lifecycle.pausesInBackground) {
      await this.replication?.pause();
    }
  }

  /** Sums every collection's pull: received so far, plus what each still has to send. */
  private onPullProgress(progress: PullProgress): void {
    const run = this.pullRun.get(progress.collection) ?? { received: 0, remaining: 0 };
    run.received += progress.received;
    run.remaining = progress.remaining ?? Math.max(0, run.remaining - progress.received);
    this.pullRun.set(progress.collection, run);
    let received = 0;
    let total = 0;
    for (const c of this.pullRun.values()) {
      received += c.received;
      total += c.received + c.remaining;
    }
    this.progressState.set(total >= PROGRESS_THRESHOLD ? { received, total } : null);
  }
}

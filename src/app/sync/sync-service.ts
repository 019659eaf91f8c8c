import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { EMPTY, filter, of, ReplaySubject, Subscription, switchMap, type Observable } from 'rxjs';
import { APP_CONFIG } from '../config';
import { DatabaseService } from '../data/database-service';
import { StorageHealth } from '../data/storage-health';
import { isStorageFull } from '../data/storage-full';
import { AuthService } from '../auth/auth-service';
import type { CollectionName } from '../../shared/collections';
import { WorkspaceContext } from '../workspaces/workspace-context';
import { capacitorConnectivity, capacitorLifecycle, type AppLifecycle, type Connectivity } from './connectivity';
import { replicateWorkspace, SYNC_HEADERS, type WorkspaceReplication } from './replication';
import { TabLeadership } from './tab-leadership';
import { syncStatus$, type SyncStatus } from './sync-status';
import { systemClock } from './queue/clock';
import { RetryGate } from './queue/retry-gate';
import { SyncQueue } from './queue/sync-queue';
import { SyncTransport, type PullProgress } from './queue/transport';
import { RxdbOutboxStore } from './queue/rxdb-outbox-store';
import type { LocalWrite, OutboxEntry } from './queue/outbox-entry';
import { toWireDocument } from '../data/wire';
import { planRepair } from './reconcile';

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
  /** The outbox, and the replication while this tab leads (null in the other tabs). */
  private readonly ready$ = new ReplaySubject<{ replication: WorkspaceReplication | null; queue: SyncQueue }>(1);
  private replication: WorkspaceReplication | undefined;
  private replicationSubscriptions = new Subscription();
  private running = false;
  private queue: SyncQueue | undefined;
  private transport: SyncTransport | undefined;
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
    this.gate.setOnline(this.connectivity.isOnline());
    // Until this tab leads, it shows what the leading tab records in the shared outbox.
    this.ready$.next({ replication: null, queue });
    new TabLeadership(`fieldbook-sync-${db.name}`, { lead: () => this.lead(queue), stepDown: () => this.stepDown(queue) }).start();
    this.verifyIfAwayLong();
  }

  /** This tab replicates for all tabs of the device. */
  private lead(queue: SyncQueue): void {
    const replication = replicateWorkspace(this.database.db, {
      graphqlHttpUrl: this.config.graphqlHttpUrl,
      graphqlWsUrl: this.config.graphqlWsUrl,
      workspaceId: this.workspace.activeId(),
      fetch: this.transport!.fetch,
      connectionParams: () => this.auth.connectionParams(),
    });
    this.replicationSubscriptions.add(replication.active$.pipe(filter((active) => !active)).subscribe(() => {
      this.pullRun.clear();
      this.progressState.set(null);
    }));
    this.replicationSubscriptions.add(replication.error$.subscribe((error) => void this.onStorageError(error)));
    this.replication = replication;
    this.ready$.next({ replication, queue });
  }

  /** This tab is freezing: its replication stops, so another tab's can start. */
  private stepDown(queue: SyncQueue): void {
    const replication = this.replication;
    this.replication = undefined;
    this.replicationSubscriptions.unsubscribe();
    this.replicationSubscriptions = new Subscription();
    void replication?.cancel();
    this.ready$.next({ replication: null, queue });
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

  /** Try everything now: skip the backoff wait and resend records held back after failing alone. */
  async retryNow(): Promise<void> {
    this.gate.open();
    this.replication?.reSync();
    const parked = this.entries().filter((e) => e.state === 'failed' && e.parked);
    for (const entry of parked) await this.transport?.retryParked(entry.collection, entry.parked!);
  }

  /** Every pending change with its local version, as a JSON document for the person to keep. */
  async exportPending(): Promise<string> {
    const db = this.database.db;
    const entries = this.entries();
    const records = await Promise.all(entries.map(async (entry) => {
      // Read from storage with tombstones included: a pending delete is exported too.
      const [stored] = await db[entry.collection].storageInstance.findDocumentsById([entry.docId], true);
      const localVersion = stored ? toWireDocument(stored as unknown as Record<string, unknown>) : entry.parked?.newDocumentState ?? null;
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

/**
 * A Fieldbook client in Node assembled from the app's own sync stack, as
 * `sync-service.ts` assembles it in the browser: the RxDB database definition (with
 * RxDB's memory storage instead of Dexie), the conflict handler, the outbox in its RxDB
 * collection, the retry gate, the transport and the replication wiring. Only the device
 * parts differ: the network is a chaos proxy, connectivity is a flag.
 *
 * It also watches itself for the harness: the pull checkpoints it sends and the
 * revisions the server sends it must never go backwards, and no local document may fall
 * below a revision the server has confirmed. (A local version the server never accepted
 * may be replaced by a lower server revision: a refused write shows the server's truth.)
 */
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { normalizeMangoQuery, prepareQuery, type RxCollection } from 'rxdb';
import { createFieldbookDatabase, type FieldbookDatabase } from '../../src/app/data/database';
import { toWireDocument } from '../../src/app/data/wire';
import { COLLECTIONS, type CollectionName } from '../../src/shared/collections';
import { replicateWorkspace, SYNC_HEADERS, type WorkspaceReplication } from '../../src/app/sync/replication';
import { RetryGate } from '../../src/app/sync/queue/retry-gate';
import { RxdbOutboxStore } from '../../src/app/sync/queue/rxdb-outbox-store';
import { SyncQueue } from '../../src/app/sync/queue/sync-queue';
import { SyncTransport } from '../../src/app/sync/queue/transport';
import { systemClock } from '../../src/app/sync/queue/clock';
import type { OutboxEntry } from '../../src/app/sync/queue/outbox-entry';
import type { ChaosProxy } from './chaos-proxy';

type AnyCollection = RxCollection<Record<string, unknown>>;

export type WireDocument = Record<string, unknown> & { id: string; revision: number; deleted: boolean };

export interface ClientIdentity {
  readonly name: string;
  readonly userId: string;
  readonly accessToken: string;
  readonly role: 'owner' | 'member';
}

/** Short backoff so a run settles in seconds; the policy (exponential, jitter, cap) is the app's. */
const SOAK_BACKOFF = { baseMs: 100, capMs: 2_000 };

let databases = 0;

export class NodeClient {
  /** Invariant breaches seen while running (checkpoints or revisions going backwards). */
  readonly violations: string[] = [];
  private online = true;
  private readonly checkpoints = new Map<string, number>();
  /** What happened to each record (`collection:id`): pushes, answers, outbox states; printed when a check fails. */
  private readonly trails = new Map<string, string[]>();
  private readonly started = Date.now();
  /** The highest revision the server has sent, per `collection:id`. */
  private readonly confirmed = new Map<string, number>();

  private constructor(
    readonly identity: ClientIdentity,
    readonly db: FieldbookDatabase,
    readonly queue: SyncQueue,
    private readonly gate: RetryGate,
    readonly replication: WorkspaceReplication,
    readonly proxy: ChaosProxy,
  ) {}

  static async open(identity: ClientIdentity, proxy: ChaosProxy, proxyUrl: string, workspaceId: string): Promise<NodeClient> {
    const refused = new Set<string>();
    let queue: SyncQueue | undefined;
    const db = await createFieldbookDatabase(`soak-${process.pid}-${++databases}`, {
      onLocalWrite: (write) => void queue?.recordLocalWrite(write),
      onReview: (collection, id, review, versions) => {
        const reason = review.map((r) => `${r.field}: ${r.reason}`).join('; ');
        void queue?.needsReview(collection, id, reason, { reasons: review, ...versions });
      },
      takeRefused: (collection, id) => refused.delete(`${collection}:${id}`),
      onResolved: (collection, id, pushed, resolution) => void queue?.conflictResolved(collection, id, pushed, resolution),
    }, getRxStorageMemory());
    queue = new SyncQueue(new RxdbOutboxStore(db.outbox), systemClock);
    const gate = new RetryGate(systemClock, true, Math.random, SOAK_BACKOFF);
    const authorization = `Bearer ${identity.accessToken}`;
    let client: NodeClient | undefined;
    const transport = new SyncTransport({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        request.headers.set('authorization', authorization);
        client?.observeRequest(await request.clone().text());
        try {
          const response = await fetch(request);
          client?.observeAnswer(await response.clone().text());
          return response;
        } catch (error) {
          client?.note(`request failed: ${String(error)}`);
          throw error;
        }
      },
      endpoint: `${proxyUrl}/graphql`,
      headers: { ...SYNC_HEADERS, authorization },
      queue,
      gate,
      clock: systemClock,
      isOnline: () => client?.online ?? true,
      onRefused: (collection, id) => refused.add(`${collection}:${id}`),
    });
    const replication = replicateWorkspace(db, {
      graphqlHttpUrl: `${proxyUrl}/graphql`,
      graphqlWsUrl: `${proxyUrl.replace(/^http/, 'ws')}/graphql`,
      workspaceId,
      fetch: transport.fetch,
      connectionParams: async () => ({ authorization }),
      retryTimeMs: 100,
    });
    client = new NodeClient(identity, db, queue, gate, replication, proxy);
    client.watchRevisions();
    client.watchOutbox();
    return client;
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Connectivity as the device reports it: what `SyncService.onConnectivity` does. */
  async setOnline(online: boolean): Promise<void> {
    this.online = online;
    this.proxy.setOnline(online);
    this.gate.setOnline(online);
    if (online) this.replication.reSync();
    else await this.queue.wentOffline();
  }

  /** "Retry now": skip the backoff wait and pull. */
  retryNow(): void {
    this.gate.open();
    this.replication.reSync();
  }

  /** Every outbox entry (records the server has not accepted, with their state). */
  entries(): Promise<readonly OutboxEntry[]> {
    return this.queue.all();
  }

  /** Every local document of `collection`, tombstones included, in the server's wire form. */
  async documents(collection: CollectionName): Promise<WireDocument[]> {
    const storage = (this.db[collection] as unknown as AnyCollection).storageInstance;
    // RxQuery hides tombstones; the storage query without a `_deleted` selector does not.
    const query = normalizeMangoQuery(storage.schema, { selector: {} });
    const result = await storage.query(prepareQuery(storage.schema, { ...query, limit: 100_000 }));
    return result.documents.map((d) => toWireDocument(d as unknown as Record<string, unknown>) as WireDocument);
  }

  /** The trail of one record, one event a line. */
  trail(key: string): string[] {
    return this.trails.get(key) ?? [];
  }

  async close(): Promise<void> {
    await this.replication.cancel();
    await this.db.close();
  }

  private note(event: string, key?: string): void {
    const line = `+${Date.now() - this.started}ms ${event}`;
    const keys = key ? [key] : [...this.inPush];
    for (const k of keys) {
      const trail = this.trails.get(k) ?? [];
      trail.push(line);
      this.trails.set(k, trail);
    }
  }

  private inPush = new Set<string>();

  /** A pull's checkpoint per collection must never move back. */
  private observeRequest(body: string): void {
    const parsed = JSON.parse(body) as { operationName?: string; query?: string; variables?: { checkpoint?: { seq: number } | null; rows?: { assumedMasterState: WireDocument | null; newDocumentState: WireDocument }[] } };
    const operation = parsed.operationName ?? /mutation\s+(\w+)/.exec(parsed.query ?? '')?.[1] ?? '';
    if (operation.startsWith('Push')) {
      const collection = COLLECTIONS.find((c) => operation === `Push${c.plural}`)?.name;
      this.inPush = new Set();
      for (const row of parsed.variables?.rows ?? []) {
        const key = `${collection}:${row.newDocumentState.id}`;
        this.inPush.add(key);
        this.note(`push rev ${row.newDocumentState.revision} on ${row.assumedMasterState?.revision ?? 'none'} ${JSON.stringify(row.newDocumentState)}`, key);
      }
    }
    if (!/^Pull[A-Z]\w*$/.test(operation) || operation.endsWith('Bucket')) return;
    const seq = parsed.variables?.checkpoint?.seq;
    if (seq === undefined) return;
    const before = this.checkpoints.get(operation) ?? -1;
    if (seq < before) this.violations.push(`${this.identity.name}: ${operation} checkpoint went back from ${before} to ${seq}`);
    this.checkpoints.set(operation, Math.max(before, seq));
  }

  /** Documents in pull and push answers: the server's revision of a document never goes back. */
  private observeAnswer(text: string): void {
    type Answer = { data?: Record<string, { documents?: WireDocument[]; conflicts?: WireDocument[]; refused?: WireDocument[] } | null> };
    let parsed: Answer;
    try {
      parsed = JSON.parse(text) as Answer;
    } catch {
      // Not GraphQL (a gateway's 502 page): the transport judges the status, nothing to watch.
      return;
    }
    for (const [field, batch] of Object.entries(parsed.data ?? {})) {
      const collection = COLLECTIONS.find((c) => field.endsWith(c.plural))?.name;
      if (!collection || !batch) continue;
      const rejections = (batch as { rejections?: { id: string; code: string }[] }).rejections ?? [];
      for (const r of rejections) this.note(`rejected ${r.code}`, `${collection}:${r.id}`);
      for (const doc of batch.conflicts ?? []) this.note(`conflict: server has rev ${doc.revision} ${JSON.stringify(doc)}`, `${collection}:${doc.id}`);
      if (field.startsWith('push')) for (const key of this.inPush) this.note('push answered', key);
      for (const doc of [...(batch.documents ?? []), ...(batch.conflicts ?? []), ...(batch.refused ?? [])]) {
        const key = `${collection}:${doc.id}`;
        if (field.startsWith('pull')) this.note(`pulled rev ${doc.revision}${doc.deleted ? ' (deleted)' : ''}`, key);
        const before = this.confirmed.get(key) ?? 0;
        if (doc.revision < before && field.startsWith('pull')) {
          this.violations.push(`${this.identity.name}: the server sent ${key} at revision ${doc.revision} after ${before}`);
        }
        this.confirmed.set(key, Math.max(before, doc.revision));
      }
    }
  }

  private watchOutbox(): void {
    const last = new Map<string, string>();
    this.queue.entries$.subscribe((entries) => {
      const seen = new Set<string>();
      for (const e of entries) {
        seen.add(e.key);
        const state = `${e.state} local ${e.localRevision} server ${e.serverRevision} ${e.lastError ?? ''}`;
        if (last.get(e.key) !== state) this.note(`outbox: ${state}`, e.key);
        last.set(e.key, state);
      }
      for (const key of last.keys()) {
        if (!seen.has(key)) {
          this.note('outbox: settled', key);
          last.delete(key);
        }
      }
    });
  }

  /** No local document falls below a revision the server confirmed. */
  private watchRevisions(): void {
    for (const { name } of COLLECTIONS) {
      (this.db[name] as unknown as AnyCollection).$.subscribe((event) => {
        const doc = event.documentData as unknown as { id: string; revision: number };
        const key = `${name}:${doc.id}`;
        const confirmed = this.confirmed.get(key) ?? 0;
        if (doc.revision < confirmed) this.violations.push(`${this.identity.name}: ${key} went back to revision ${doc.revision}, below the server's ${confirmed}`);
      });
    }
  }
}

/**
 * graphql-ws keeps a promise per connected socket that rejects with the socket's error
 * event when it errors; when no operation is awaiting it at that moment (a cut socket,
 * a crashed server), nothing handles it. Browsers only log such a rejection; Node ends
 * the process. This lets exactly those through and keeps every other rejection fatal.
 */
export function tolerateWebSocketErrorEvents(): void {
  process.on('unhandledRejection', (reason) => {
    if (reason && typeof reason === 'object' && reason.constructor?.name === 'ErrorEvent') return;
    throw reason;
  });
}

/**
 * The replication's transport: the `fetch` RxDB's GraphQL replication calls for every
 * pull and push. It is where the sync queue learns what really happens to each request:
 *
 * - every request waits at the retry gate (backoff with jitter, Retry-After, offline);
 * - a push marks its records syncing, then synced, rejected (refused by the server's
 *   rules; RxDB moves on and the local version is kept), retrying (network, 5xx, 429)
 *   or failed (sign-in needed);
 * - a push that fails for a reason that is not transient (the request itself is refused
 *   or crashes the server) is split into single-row requests, so one bad record cannot
 *   hold the others hostage. A row that keeps failing alone is parked: kept in the
 *   outbox with its exact push row, reported to RxDB as handled so the queue flows, and
 *   sent again only when the person asks (`retryParked`).
 *
 * RxDB itself retries a thrown request after its fixed `retryTime`; the gate makes that
 * retry wait for the real backoff.
 *
 * Every push carries a write id (`Idempotency-Key`). A retry of the same batch (same
 * rows, as RxDB resends them) reuses the id until an answer arrives, so a push whose
 * answer was lost (timeout, dropped connection) is answered from the server's receipt
 * instead of being applied again or turned into a conflict with itself.
 */
import { COLLECTIONS, type CollectionName } from '../../../shared/collections';
import { retryAfterMs } from './backoff';
import { pushMutation } from '../../../shared/operations';
import { uuidv7 } from '../../../shared/uuid';
import type { Clock } from './clock';
import type { ParkedRow, RejectionInfo } from './outbox-entry';
import type { RetryGate } from './retry-gate';
import type { RowDocument, SyncQueue } from './sync-queue';

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface PullProgress {
  readonly collection: CollectionName;
  readonly received: number;
  /** Documents still to pull after this batch, when the server was asked. */
  readonly remaining: number | undefined;
}

export interface TransportOptions {
  readonly fetch: FetchLike;
  /** The GraphQL endpoint, for requests the transport makes itself (parked rows). */
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly queue: SyncQueue;
  readonly gate: RetryGate;
  readonly clock: Clock;
  readonly isOnline: () => boolean;
  readonly onPullProgress?: (progress: PullProgress) => void;
  /** A refused row the server answered with its current document (the record takes it). */
  readonly onRefused?: (collection: CollectionName, id: string) => void;
  /** After this many failed attempts of a single row that fails alone, the row is parked. */
  readonly parkAfterAttempts?: number;
  /**
   * Called when the server answered CHECKPOINT_EXPIRED (the checkpoint predates its
   * tombstone retention) and the transport re-pulled the collection from scratch.
   */
  readonly onCheckpointExpired?: (collection: CollectionName) => void;
}

interface GraphQLBody {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

interface PushRow {
  assumedMasterState: Record<string, unknown> | null;
  newDocumentState: Record<string, unknown>;
}

interface PushAnswer {
  conflicts: Record<string, unknown>[];
  rejections: (RejectionInfo & { id: string })[];
  refused?: Record<string, unknown>[];
}

type Outcome =
  | { kind: 'answer'; answer: PushAnswer }
  | { kind: 'transient'; error: string; retryAfterMs: number | undefined }
  | { kind: 'offline' }
  | { kind: 'auth'; error: string }
  | { kind: 'broken'; error: string };

const collectionByOperation = new Map<string, CollectionName>(
  COLLECTIONS.flatMap((c) => [[`push${c.plural}`, c.name], [`pull${c.plural}`, c.name]] as [string, CollectionName][]),
);

function rowDocument(row: PushRow): RowDocument {
  const doc = row.newDocumentState;
  return {
    id: String(doc['id']),
    revision: Number(doc['revision']),
    deleted: doc['deleted'] === true,
    label: String(doc['title'] ?? doc['name'] ?? doc['id']),
    isNew: !row.assumedMasterState,
  };
}

function isTransientStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 408;
}

/** The operation a request body runs: `pushTasks`, `pullLists`, ... */
function rootField(body: GraphQLBody): string | undefined {
  return /\b(push|pull)[A-Z]\w*/.exec(body.query)?.[0];
}

/** The header carrying a push's write id; the server keeps the answer under it. */
export const WRITE_ID_HEADER = 'Idempotency-Key';

export class SyncTransport {
  private readonly parkAfter: number;
  /** Repair documents (reconciliation) to hand RxDB with the next pull of their collection. */
  private readonly repairs = new Map<CollectionName, { documents: Record<string, unknown>[]; delivered: (() => void)[] }>();
  /** Write ids of pushes not answered yet, by operation and rows: a retry reuses its id. */
  private readonly writeIds = new Map<string, string>();

  constructor(private readonly options: TransportOptions) {
    this.parkAfter = options.parkAfterAttempts ?? 3;
  }

  /** The function to hand to `replicateGraphQL({ fetch })`. */
  readonly fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const body = (await request.clone().json()) as GraphQLBody;
    const field = rootField(body);
    const collection = field ? collectionByOperation.get(field) : undefined;
    if (field?.startsWith('push') && collection) return this.push(request, body, collection, field);
    return this.pull(request, collection);
  };

  /**
   * Adds `documents` (server state found by reconciliation) to the next pull answer of
   * `collection`, so RxDB stores them as if the server had sent them: not as local
   * writes, and nothing is pushed back.
   */
  repairOnNextPull(collection: CollectionName, documents: readonly Record<string, unknown>[]): Promise<void> {
    const entry = this.repairs.get(collection) ?? { documents: [], delivered: [] };
    entry.documents.push(...documents);
    this.repairs.set(collection, entry);
    return new Promise((resolve) => entry.delivered.push(resolve));
  }

  /** Sends a parked row again, outside RxDB's queue; the record converges through the live stream. */
  async retryParked(collection: CollectionName, row: ParkedRow): Promise<void> {
    const definition = COLLECTIONS.find((c) => c.name === collection)!;
    const field = `push${definition.plural}`;
    const query = pushMutation(definition);
    const rows = [row as PushRow];
    const headers = new Headers({ ...this.options.headers, 'content-type': 'application/json' });
    const outcome = await this.send(this.options.endpoint, headers, {
      query, variables: { workspaceId: row.newDocumentState['workspaceId'], rows },
    }, field);
    await this.record(collection, rows, outcome, true);
  }

  private async pull(request: Request, collection: CollectionName | undefined): Promise<Response> {
    const response = await this.pullOnce(request.clone(), collection);
    if (!collection) return response;
    const json = (await response.clone().json().catch(() => null)) as { errors?: { extensions?: { code?: string } }[] } | null;
    if (json?.errors?.some((e) => e.extensions?.code === 'CHECKPOINT_EXPIRED')) {
      // Deletions after our checkpoint were purged on the server: start this collection
      // over from scratch. RxDB keeps unpushed local changes in its fork, so nothing
      // pending is lost; the documents come back as master state, not as local edits.
      const body = (await request.clone().json()) as GraphQLBody;
      const fresh = new Request(request.url, {
        method: 'POST', headers: request.headers,
        body: JSON.stringify({ ...body, variables: { ...body.variables, checkpoint: null } }),
      });
      this.options.onCheckpointExpired?.(collection);
      return this.withRepairs(await this.pullOnce(fresh, collection), collection);
    }
    return this.withRepairs(response, collection);
  }

  private async withRepairs(response: Response, collection: CollectionName): Promise<Response> {
    const repairs = this.repairs.get(collection);
    if (!repairs || !response.ok) return response;
    const json = (await response.clone().json().catch(() => null)) as { data?: Record<string, { documents: Record<string, unknown>[] } | null> } | null;
    const batch = json?.data ? Object.values(json.data)[0] : undefined;
    if (!batch) return response;
    this.repairs.delete(collection);
    // The server's own documents win over a repair of the same id: they are newer.
    const fresh = new Set(batch.documents.map((d) => d['id']));
    batch.documents.push(...repairs.documents.filter((d) => !fresh.has(d['id'])));
    repairs.delivered.forEach((resolve) => resolve());
    return jsonResponse(json);
  }

  private async pullOnce(request: Request, collection: CollectionName | undefined): Promise<Response> {
    await this.options.gate.ready();
    let response: Response;
    try {
      response = await this.options.fetch(request);
    } catch (error) {
      if (this.options.isOnline()) this.options.gate.fail('server unreachable');
      throw error;
    }
    if (isTransientStatus(response.status) || response.status >= 500) {
      const error = `server answered ${response.status}`;
      this.options.gate.fail(error, retryAfterMs(response.headers.get('retry-after'), this.options.clock.now()));
      throw new Error(error);
    }
    const refusal = await accessRefusal(response);
    if (refusal) {
      // Not a failure to retry: nothing goes out until the person signs in again (or
      // regains access); pending changes stay queued.
      this.options.gate.hold(refusal);
      throw new Error(refusal);
    }
    this.options.gate.succeed();
    if (collection && this.options.onPullProgress) {
      const json = (await response.clone().json().catch(() => null)) as { data?: Record<string, { documents?: unknown[]; remaining?: number }> } | null;
      const batch = json?.data ? Object.values(json.data)[0] : undefined;
      if (batch?.documents) {
        this.options.onPullProgress({ collection, received: batch.documents.length, remaining: batch.remaining });
      }
    }
    return response;
  }

  private async push(request: Request, body: GraphQLBody, collection: CollectionName, field: string): Promise<Response> {
    const rows = (body.variables?.['rows'] ?? []) as PushRow[];
    await this.options.gate.ready();
    await this.options.queue.pushStarted(collection, rows.map(rowDocument));
    const outcome = await this.send(request.url, request.headers, body, field);

    if (outcome.kind === 'broken' && rows.length > 1) {
      // Split: each row alone, so the bad one cannot hold the others back.
      const merged: PushAnswer = { conflicts: [], rejections: [] };
      let failure: Outcome | undefined;
      for (const row of rows) {
        const single = await this.send(request.url, request.headers, { ...body, variables: { ...body.variables, rows: [row] } }, field);
        const handled = await this.record(collection, [row], single, false);
        if (handled) {
          merged.conflicts.push(...handled.conflicts);
          merged.rejections.push(...handled.rejections);
        } else {
          failure ??= single;
        }
      }
      if (failure) {
        // The rows that got through reset the gate; the retry of the rest still backs off.
        if (this.options.gate.state.attempts === 0) this.options.gate.fail(describe(failure));
        throw new Error(`push failed: ${describe(failure)}`);
      }
      return jsonResponse({ data: { [field]: merged } });
    }

    const handled = await this.record(collection, rows, outcome, false);
    if (!handled) throw new Error(`push failed: ${describe(outcome)}`);
    return jsonResponse({ data: { [field]: handled } });
  }

  /**
   * Records an outcome in the queue and the gate. Returns the answer RxDB should see, or
   * undefined when RxDB must retry the request.
   */
  private async record(collection: CollectionName, rows: PushRow[], outcome: Outcome, manual: boolean): Promise<PushAnswer | undefined> {
    const { queue, gate } = this.options;
    const docs = rows.map(rowDocument);
    switch (outcome.kind) {
      case 'answer': {
        gate.succeed();
        const conflicted = new Set(outcome.answer.conflicts.map((c) => String(c['id'])));
        const refused = new Map((outcome.answer.refused ?? []).map((d) => [String(d['id']), d]));
        const mine = new Map(rows.map((r) => [String(r.newDocumentState['id']), r.newDocumentState]));
        const rejections = new Map(outcome.answer.rejections.map((r) => [r.id, {
          code: r.code, message: r.message, fields: r.fields, mine: mine.get(r.id) ?? null, theirs: refused.get(r.id) ?? null,
        }]));
        const accepted = docs.filter((d) => !conflicted.has(d.id) && !rejections.has(d.id));
        await queue.accepted(collection, accepted);
        if (rejections.size > 0) await queue.rejected(collection, docs.filter((d) => rejections.has(d.id)), rejections);
        // A refused row the server has goes back to RxDB as a conflict carrying the server's
        // document, so the record shows the server's truth and RxDB's idea of the server
        // state stays right; the conflict handler takes it as is (the refused version is in the outbox).
        for (const id of refused.keys()) this.options.onRefused?.(collection, id);
        const { refused: _, ...answer } = outcome.answer;
        void _;
        return { ...answer, conflicts: [...answer.conflicts, ...refused.values()] };
      }
      case 'offline':
        await queue.wentOffline();
        return undefined;
      case 'auth':
        // Not a retry of the same request: nothing goes out until the person signs in
        // again (or regains access). The records stay queued with the reason.
        gate.hold(outcome.error);
        await queue.failed(collection, docs, outcome.error);
        return undefined;
      case 'transient': {
        const { nextAttemptAt } = gate.fail(outcome.error, outcome.retryAfterMs);
        await queue.retryScheduled(collection, docs, outcome.error, nextAttemptAt);
        return undefined;
      }
      case 'broken': {
        // Counted per record: the gate's count resets whenever another row gets through.
        const attempts = (await queue.attempts(collection, docs[0]!.id)) + 1;
        if (rows.length === 1 && (manual || attempts >= this.parkAfter)) {
          const parked = new Map(rows.map((r) => [String(r.newDocumentState['id']), r as ParkedRow]));
          await queue.failed(collection, docs, `${outcome.error} (held back; retry from the Sync page)`, parked);
          return manual ? undefined : { conflicts: [], rejections: [] };
        }
        const { nextAttemptAt } = gate.fail(outcome.error);
        await queue.retryScheduled(collection, docs, outcome.error, nextAttemptAt);
        return undefined;
      }
    }
  }

  private async send(url: string, headers: Headers, body: GraphQLBody, field: string): Promise<Outcome> {
    const batchKey = `${field}\n${JSON.stringify(body.variables?.['rows'] ?? [])}`;
    let writeId = this.writeIds.get(batchKey);
    if (!writeId) {
      writeId = uuidv7();
      this.writeIds.set(batchKey, writeId);
    }
    const outcome = await this.sendOnce(url, new Headers([...headers, [WRITE_ID_HEADER, writeId]]), body, field);
    if (outcome.kind === 'answer') this.writeIds.delete(batchKey);
    return outcome;
  }

  private async sendOnce(url: string, headers: Headers, body: GraphQLBody, field: string): Promise<Outcome> {
    let response: Response;
    try {
      response = await this.options.fetch(new Request(url, { method: 'POST', headers, body: JSON.stringify(body) }));
    } catch {
      return this.options.isOnline() ? { kind: 'transient', error: 'server unreachable', retryAfterMs: undefined } : { kind: 'offline' };
    }
    const retryAfter = retryAfterMs(response.headers.get('retry-after'), this.options.clock.now());
    if (isTransientStatus(response.status)) return { kind: 'transient', error: `server busy (${response.status})`, retryAfterMs: retryAfter };
    if (response.status === 401) return { kind: 'auth', error: SIGN_IN_AGAIN };
    const json = (await response.json().catch(() => null)) as { data?: Record<string, PushAnswer | null> | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    const answer = json?.data?.[field];
    if (response.ok && answer) return { kind: 'answer', answer };
    const error = json?.errors?.[0];
    if (error?.extensions?.code === 'UNAUTHENTICATED') return { kind: 'auth', error: SIGN_IN_AGAIN };
    if (error?.extensions?.code === 'FORBIDDEN') return { kind: 'auth', error: NO_ACCESS };
    if (response.status >= 500 && !error) return { kind: 'transient', error: `server error (${response.status})`, retryAfterMs: retryAfter };
    return { kind: 'broken', error: error?.message ?? `server answered ${response.status}` };
  }
}

/** Why sync holds when the server no longer accepts the person's session. */
export const SIGN_IN_AGAIN = 'Sign in again to sync';
/** Why sync holds when the person is no longer a member of the workspace. */
export const NO_ACCESS = 'You no longer have access to this workspace';

/** The hold reason when a response refuses the caller as such (not the request), else null. */
async function accessRefusal(response: Response): Promise<string | null> {
  if (response.status === 401) return SIGN_IN_AGAIN;
  const json = (await response.clone().json().catch(() => null)) as { errors?: { extensions?: { code?: string } }[] } | null;
  const codes = new Set(json?.errors?.map((e) => e.extensions?.code));
  return codes.has('UNAUTHENTICATED') ? SIGN_IN_AGAIN : codes.has('FORBIDDEN') ? NO_ACCESS : null;
}

function describe(outcome: Outcome): string {
  return outcome.kind === 'answer' ? 'answered' : outcome.kind === 'offline' ? 'offline' : outcome.error;
}

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

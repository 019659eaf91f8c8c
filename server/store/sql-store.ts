/**
 * The one `Store` implementation: plain SQL that runs unchanged on PGlite and PostgreSQL.
 *
 * Gap-free change ordering. Every transaction that writes documents first takes the
 * workspace row lock with
 *   UPDATE workspaces SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq
 * and stamps that seq on every document it writes. The row lock is held until commit,
 * so the writers of one workspace run one after the other and commit in seq order: by
 * the time seq N is visible to anyone, every seq below N is committed and visible too.
 * A reader that has seen `(N, id)` therefore never misses a change below it, and a pull
 * by checkpoint `(seq, id)` cannot skip the write of a slow concurrent transaction, which
 * a plain sequence or timestamp cursor does (ids drawn from a sequence are handed out at
 * write time, not commit time, so a later-committed lower value lands behind a cursor).
 * The lock is taken only by pushes that write something, so replays and conflicts do
 * not serialise with writers.
 */
import { COLLECTIONS, collectionByName, type CollectionName } from '../../src/shared/collections';
import type { SqlDriver, SqlExecutor } from './driver';
import { loadMigrations, migrate } from './migrate';
import { DIGEST_BUCKET_CHARS, type BucketDigest } from '../../src/shared/digest';
import { SqlAccountStore, type AccountStore } from '../auth/account-store';
import { CachedAccountStore } from '../auth/cached-account-store';
import { SqlPublicApiStore } from './public-api-store';
import { createHash } from 'node:crypto';
import { decidePushRow, type AcceptedWrite, type CurrentDocument, type Decision, type RuleContext } from './push-decision';
import { CheckpointExpiredError, WriteIdReusedError, type Change, type Checkpoint, type HistoryEntry, type PullResult, type PushOptions, type PushRow, type PushResult, type Rejection, type Store, type WireDocument } from './store';

export interface DocumentRow {
  collection: string;
  id: string;
  workspace_id: string;
  revision: number;
  updated_at: string;
  updated_by: string | null;
  deleted: boolean;
  seq: string | number | bigint;
  data: Record<string, unknown>;
}

export const DOCUMENT_COLUMNS = `collection, id, workspace_id, revision,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
  updated_by, deleted, change_seq AS seq, data`;

export function toWire(row: DocumentRow): WireDocument {
  return {
    ...row.data,
    id: row.id,
    workspaceId: row.workspace_id,
    revision: row.revision,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    deleted: row.deleted,
  };
}

export interface SqlStoreOptions {
  /** The workspace that must exist from the start (the default workspace). */
  readonly defaultWorkspaceId: string;
  /** Server clock for `updatedAt`; injectable for tests. */
  readonly now?: () => Date;
}

export class SqlStore implements Store {
  private readonly now: () => Date;
  /** Users, memberships and sessions, in the same database (users and roles cached briefly). */
  readonly accounts: AccountStore;
  /** Plain queries, access tokens and mutation outcomes of the public API. */
  readonly publicApi: SqlPublicApiStore;

  private constructor(
    private readonly driver: SqlDriver,
    options: SqlStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.accounts = new CachedAccountStore(new SqlAccountStore(driver));
    this.publicApi = new SqlPublicApiStore(driver);
  }

  /** Migrates the database, ensures the default workspace and returns the store. */
  static async open(driver: SqlDriver, options: SqlStoreOptions): Promise<SqlStore> {
    await migrate(driver);
    const store = new SqlStore(driver, options);
    await store.ensureWorkspace(options.defaultWorkspaceId, 'My workspace');
    return store;
  }

  async ensureWorkspace(workspaceId: string, name: string): Promise<void> {
    await this.driver.query('INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [workspaceId, name]);
  }

  async workspaceExists(workspaceId: string): Promise<boolean> {
    const rows = await this.driver.query('SELECT 1 FROM workspaces WHERE id = $1', [workspaceId]);
    return rows.length > 0;
  }

  async pull(collection: CollectionName, workspaceId: string, checkpoint: Checkpoint | null, limit: number): Promise<PullResult> {
    // One statement, so the documents and the purge mark are read from one snapshot: a
    // purge either committed before it (tombstones gone, mark raised: expired) or after
    // it (tombstones still returned). The one-row `mark` side keeps the flag when no
    // document follows the checkpoint.
    const rows = await this.driver.query<Partial<DocumentRow> & { expired: boolean }>(
      `SELECT mark.expired, d.* FROM
         (SELECT $6::boolean AND EXISTS (
            SELECT 1 FROM workspaces WHERE id = $2 AND ($3::bigint, $4::text) < (purged_through_seq, purged_through_id)) AS expired) mark
       LEFT JOIN LATERAL (
         SELECT ${DOCUMENT_COLUMNS} FROM documents
         WHERE collection = $1 AND workspace_id = $2 AND (change_seq, id) > ($3::bigint, $4::text)
         ORDER BY change_seq, id
         LIMIT $5) d ON true
       ORDER BY d.seq, d.id`,
      [collection, workspaceId, checkpoint?.seq ?? -1, checkpoint?.id ?? '', limit, checkpoint !== null],
    );
    if (rows[0]?.expired) throw new CheckpointExpiredError();
    const documents = rows.filter((row): row is DocumentRow & { expired: boolean } => row.id != null);
    const last = documents.at(-1);
    return {
      documents: documents.map(toWire),
      checkpoint: last ? { seq: Number(last.seq), id: last.id } : checkpoint,
    };
  }

  async pullBucket(collection: CollectionName, workspaceId: string, bucket: string, checkpoint: Checkpoint | null, limit: number): Promise<PullResult> {
    const rows = await this.driver.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents
       WHERE collection = $1 AND workspace_id = $2 AND (change_seq, id) > ($3::bigint, $4::text) AND right(id, $6) = $7
       ORDER BY change_seq, id
       LIMIT $5`,
      [collection, workspaceId, checkpoint?.seq ?? -1, checkpoint?.id ?? '', limit, DIGEST_BUCKET_CHARS, bucket],
    );
    const last = rows.at(-1);
    return { documents: rows.map(toWire), checkpoint: last ? { seq: Number(last.seq), id: last.id } : checkpoint };
  }

  /**
   * One query over the workspace's live documents. The text hashed per bucket is exactly
   * what `digestDocuments` in `src/shared/digest.ts` hashes on the client.
   */
  async digest(workspaceId: string): Promise<{ collection: CollectionName; buckets: BucketDigest[] }[]> {
    const rows = await this.driver.query<{ collection: CollectionName; bucket: string; n: string | number; hash: string }>(
      `SELECT collection, right(id, $2) AS bucket, count(*) AS n,
         encode(sha256(convert_to(string_agg(id || ':' || revision, ',' ORDER BY id COLLATE "C"), 'UTF8')), 'hex') AS hash
       FROM documents WHERE workspace_id = $1 AND NOT deleted
       GROUP BY collection, right(id, $2)
       ORDER BY collection, bucket`,
      [workspaceId, DIGEST_BUCKET_CHARS],
    );
    return COLLECTIONS.map((c) => ({
      collection: c.name,
      buckets: rows.filter((r) => r.collection === c.name).map((r) => ({ bucket: r.bucket, count: Number(r.n), hash: r.hash })),
    }));
  }

  async countAfter(collection: CollectionName, workspaceId: string, checkpoint: Checkpoint | null): Promise<number> {
    const rows = await this.driver.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM documents
       WHERE collection = $1 AND workspace_id = $2 AND (change_seq, id) > ($3::bigint, $4::text)`,
      [collection, workspaceId, checkpoint?.seq ?? -1, checkpoint?.id ?? ''],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async push(collection: CollectionName, workspaceId: string, rows: readonly PushRow[], actorId: string | null, options: PushOptions = {}): Promise<PushResult> {
    const definition = collectionByName(collection);
    if (!definition) throw new Error(`Unknown collection ${collection}`);
    const updatedAt = this.now().toISOString();
    const ids = [...new Set(rows.map((r) => r.newDocumentState['id']).filter((id): id is string => typeof id === 'string'))];
    // The pusher's role decides viewer refusals and who may (un)archive. Read before the
    // transaction: the account store has its own connection use.
    const role = actorId === null ? null : await this.accounts.roleOf(workspaceId, actorId);
    const listIds = collection === 'tasks'
      ? [...new Set(rows.map((r) => r.newDocumentState['listId']).filter((l): l is string => typeof l === 'string'))]
      : [];
    const decideAll = (currents: Map<string, CurrentDocument>, rules: RuleContext) => {
      // Rows are decided in order against a working copy, so a later row of the same
      // push sees the outcome of an earlier one.
      const working = new Map(currents);
      return rows.map((row): Decision => {
        const id = row.newDocumentState['id'];
        const decision = decidePushRow(definition, workspaceId, row, typeof id === 'string' ? working.get(id) : undefined, rules);
        if (decision.kind === 'insert' || decision.kind === 'update') {
          const document = { ...decision.write.data, id: decision.write.id, workspaceId, revision: decision.write.revision,
            updatedAt, updatedBy: actorId, deleted: decision.write.deleted } satisfies WireDocument;
          working.set(decision.write.id, { workspaceId, document });
        }
        return decision;
      });
    };

    return this.driver.transaction(async (tx) => {
      const writeId = options.writeId;
      if (writeId !== undefined) {
        const requestHash = createHash('sha256').update(JSON.stringify([collection, actorId, rows])).digest('base64url');
        const replay = await this.claimWriteId(tx, workspaceId, writeId, requestHash);
        if (replay) return replay;
      }
      const decide = (state: PushState) => decideAll(state.currents, { role, archivedListIds: state.archivedListIds });
      let decisions = decide(await this.readPushState(tx, collection, workspaceId, ids, listIds));
      let written = 0;
      if (decisions.some((d) => d.kind === 'insert' || d.kind === 'update')) {
        const seq = await this.bumpSeq(tx, workspaceId);
        // Decide again under the workspace lock: no writer of this workspace can now
        // change these documents before we commit. A driver whose transactions run one
        // at a time has had no concurrent writer since the first read.
        if (!this.driver.exclusiveTransactions) decisions = decide(await this.readPushState(tx, collection, workspaceId, ids, listIds));
        for (const [index, decision] of decisions.entries()) {
          if (decision.kind !== 'insert' && decision.kind !== 'update') continue;
          const stored = await this.write(tx, decision.kind, collection, workspaceId, decision.write, { seq, updatedAt, actorId });
          if (stored) {
            written++;
          } else {
            // Inserted concurrently under another workspace (only writers of the same
            // workspace are serialised by the lock).
            decisions[index] = { kind: 'reject', rejection: {
              id: decision.write.id, code: 'FORBIDDEN', message: 'The document belongs to another workspace than the push', fields: [] } };
          }
        }
      }
      const conflicts: WireDocument[] = [];
      const rejections: Rejection[] = [];
      const refused: WireDocument[] = [];
      for (const decision of decisions) {
        if (decision.kind === 'conflict') conflicts.push(decision.current);
        if (decision.kind === 'reject') {
          rejections.push(decision.rejection);
          if (decision.current) refused.push(decision.current);
        }
      }
      if (writeId !== undefined) {
        await tx.query('UPDATE push_receipts SET answer = $3::jsonb WHERE workspace_id = $1 AND write_id = $2',
          [workspaceId, writeId, JSON.stringify({ conflicts, rejections, refused })]);
      }
      return { conflicts, rejections, refused, written };
    });
  }

  /**
   * Claims a write id for this transaction, or returns the answer of the push that
   * claimed it before. On PostgreSQL a duplicate in flight waits here on the unique key
   * until the first transaction commits (then its answer is read) or rolls back (then
   * this one claims the id and applies the push).
   */
  private async claimWriteId(tx: SqlExecutor, workspaceId: string, writeId: string, requestHash: string): Promise<PushResult | undefined> {
    const claimed = await tx.query(
      `INSERT INTO push_receipts (workspace_id, write_id, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id, write_id) DO NOTHING RETURNING write_id`,
      [workspaceId, writeId, requestHash],
    );
    if (claimed.length > 0) return undefined;
    const [receipt] = await tx.query<{ request_hash: string; answer: { conflicts: WireDocument[]; rejections: Rejection[]; refused?: WireDocument[] } | null }>(
      'SELECT request_hash, answer FROM push_receipts WHERE workspace_id = $1 AND write_id = $2',
      [workspaceId, writeId],
    );
    if (!receipt?.answer || receipt.request_hash !== requestHash) throw new WriteIdReusedError(writeId);
    return { refused: [], ...receipt.answer, written: 0, replayed: true };
  }

  /**
   * Removes tombstones last changed before `before` and raises each workspace's purge
   * mark to the highest position (seq, id) removed, in one statement, so a pull either
   * still sees a tombstone or sees the raised mark. Returns how many were removed.
   * A document edited meanwhile is no longer a matching tombstone and is kept.
   */
  async purgeTombstones(before: Date): Promise<number> {
    const rows = await this.driver.query<{ n: string | number }>(
      `WITH gone AS (
         DELETE FROM documents WHERE deleted AND updated_at < $1::timestamptz RETURNING workspace_id, change_seq, id
       ), marks AS (
         UPDATE workspaces w SET purged_through_seq = m.change_seq, purged_through_id = m.id
         FROM (SELECT DISTINCT ON (workspace_id) workspace_id, change_seq, id FROM gone
               ORDER BY workspace_id, change_seq DESC, id DESC) m
         WHERE w.id = m.workspace_id AND (m.change_seq, m.id) > (w.purged_through_seq, w.purged_through_id)
         RETURNING w.id
       )
       SELECT (SELECT count(*) FROM gone) AS n`,
      [before.toISOString()],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Forgets write ids older than `before` (their pushes can no longer be retried). */
  async purgeReceipts(before: Date): Promise<number> {
    const rows = await this.driver.query('DELETE FROM push_receipts WHERE created_at < $1::timestamptz RETURNING write_id', [before.toISOString()]);
    return rows.length;
  }

  async currentSeq(workspaceId: string): Promise<number> {
    const rows = await this.driver.query<{ seq: string }>('SELECT change_seq AS seq FROM workspaces WHERE id = $1', [workspaceId]);
    return Number(rows[0]?.seq ?? 0);
  }

  async changesSince(workspaceId: string, after: { seq: number; id: string | null }, limit: number): Promise<Change[]> {
    const rows = await this.driver.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents
       WHERE workspace_id = $1 AND change_seq >= $2::bigint
         AND (change_seq > $2::bigint OR (id > $3::text) IS TRUE)
         AND collection = ANY($4::text[])
       ORDER BY change_seq, id
       LIMIT $5`,
      [workspaceId, after.seq, after.id, COLLECTIONS.map((c) => c.name), limit],
    );
    return rows.map((row) => ({ collection: row.collection as CollectionName, seq: Number(row.seq), document: toWire(row) }));
  }

  /**
   * Readiness: the database answers and every migration this build ships is applied
   * (an instance of an older build must not serve a newer schema, and vice versa).
   * Returns the problem, or null when ready.
   */
  async readiness(): Promise<string | null> {
    try {
      const applied = new Set((await this.driver.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version));
      const missing = (await loadMigrations()).filter((m) => !applied.has(m.version));
      return missing.length > 0 ? `migrations not applied: ${missing.map((m) => m.version).join(', ')}` : null;
    } catch (error) {
      return `database unreachable: ${(error as Error).message}`;
    }
  }

  async history(collection: CollectionName, workspaceId: string, id: string): Promise<HistoryEntry[]> {
    const rows = await this.driver.query<{ revision: number; updated_at: string; updated_by: string | null; email: string | null; deleted: boolean; data: Record<string, unknown> }>(
      `SELECT h.revision, to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
         h.updated_by, u.email, h.deleted, h.data
       FROM document_history h LEFT JOIN users u ON u.id = h.updated_by
       WHERE h.collection = $1 AND h.workspace_id = $2 AND h.id = $3
       ORDER BY h.revision`,
      [collection, workspaceId, id],
    );
    return rows.map((r) => ({
      revision: r.revision, updatedAt: r.updated_at, updatedBy: r.updated_by, updatedByEmail: r.email, deleted: r.deleted, data: r.data,
    }));
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /**
   * What the push rules need, in one statement: the current documents with the pushed
   * ids (in any workspace) and which of `listIds` are archived lists of the workspace.
   */
  private async readPushState(tx: SqlExecutor, collection: CollectionName, workspaceId: string, ids: readonly string[], listIds: readonly string[]): Promise<PushState> {
    if (ids.length === 0 && listIds.length === 0) return { currents: new Map(), archivedListIds: new Set() };
    const archived = `collection = 'lists' AND workspace_id = $3 AND id = ANY($4::text[]) AND NOT deleted AND data->>'archived' = 'true'`;
    const pushed = 'collection = $1 AND id = ANY($2::text[])';
    const rows = await tx.query<DocumentRow & { pushed: boolean; archived_list: boolean }>(
      `SELECT ${DOCUMENT_COLUMNS}, ${pushed} AS pushed, ${archived} AS archived_list FROM documents WHERE (${pushed}) OR (${archived})`,
      [collection, ids, workspaceId, listIds],
    );
    const currents = new Map<string, CurrentDocument>();
    const archivedListIds = new Set<string>();
    for (const row of rows) {
      if (row.pushed) currents.set(row.id, { workspaceId: row.workspace_id, document: toWire(row) });
      if (row.archived_list) archivedListIds.add(row.id);
    }
    return { currents, archivedListIds };
  }

  private async bumpSeq(tx: SqlExecutor, workspaceId: string): Promise<number> {
    const rows = await tx.query<{ seq: string }>(
      'UPDATE workspaces SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq AS seq',
      [workspaceId],
    );
    const row = rows[0];
    if (!row) throw new Error(`Workspace ${workspaceId} does not exist`);
    return Number(row.seq);
  }

  /**
   * Writes one accepted document and records the revision in the history, in one
   * statement; false when an insert met an id that appeared meanwhile.
   */
  private async write(
    tx: SqlExecutor,
    kind: 'insert' | 'update',
    collection: CollectionName,
    workspaceId: string,
    write: AcceptedWrite,
    stamp: { seq: number; updatedAt: string; actorId: string | null },
  ): Promise<boolean> {
    const params = [collection, write.id, workspaceId, write.revision, stamp.updatedAt, stamp.actorId, write.deleted, stamp.seq, JSON.stringify(write.data)];
    const change = kind === 'insert'
      ? `INSERT INTO documents (collection, id, workspace_id, revision, updated_at, updated_by, deleted, change_seq, data)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9::jsonb)
         ON CONFLICT (collection, id) DO NOTHING`
      : `UPDATE documents SET revision = $4, updated_at = $5::timestamptz, updated_by = $6, deleted = $7,
           change_seq = $8, data = $9::jsonb
         WHERE collection = $1 AND id = $2 AND workspace_id = $3`;
    const rows = await tx.query(
      `WITH written AS (${change}
         RETURNING collection, id, revision, workspace_id, updated_at, updated_by, deleted, data)
       INSERT INTO document_history (collection, id, revision, workspace_id, updated_at, updated_by, deleted, data)
       SELECT collection, id, revision, workspace_id, updated_at, updated_by, deleted, data FROM written
       RETURNING id`,
      params,
    );
    return rows.length > 0;
  }
}

/** The server state a push is decided against. */
interface PushState {
  readonly currents: Map<string, CurrentDocument>;
  readonly archivedListIds: ReadonlySet<string>;
}

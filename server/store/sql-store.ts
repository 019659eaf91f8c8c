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
import { migrate } from './migrate';
import { SqlAccountStore, type AccountStore } from '../auth/account-store';
import { decidePushRow, type AcceptedWrite, type CurrentDocument, type Decision, type RuleContext } from './push-decision';
import type { Change, Checkpoint, HistoryEntry, PullResult, PushRow, PushResult, Rejection, Store, WireDocument } from './store';

interface DocumentRow {
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

const DOCUMENT_COLUMNS = `collection, id, workspace_id, revision,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
  updated_by, deleted, change_seq AS seq, data`;

function toWire(row: DocumentRow): WireDocument {
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
  /** Users, memberships and sessions, in the same database. */
  readonly accounts: AccountStore;

  private constructor(
    private readonly driver: SqlDriver,
    options: SqlStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.accounts = new SqlAccountStore(driver);
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
    const rows = await this.driver.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents
       WHERE collection = $1 AND workspace_id = $2 AND (change_seq, id) > ($3::bigint, $4::text)
       ORDER BY change_seq, id
       LIMIT $5`,
      [collection, workspaceId, checkpoint?.seq ?? -1, checkpoint?.id ?? '', limit],
    );
    const last = rows.at(-1);
    return {
      documents: rows.map(toWire),
      checkpoint: last ? { seq: Number(last.seq), id: last.id } : checkpoint,
    };
  }

  async countAfter(collection: CollectionName, workspaceId: string, checkpoint: Checkpoint | null): Promise<number> {
    const rows = await this.driver.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM documents
       WHERE collection = $1 AND workspace_id = $2 AND (change_seq, id) > ($3::bigint, $4::text)`,
      [collection, workspaceId, checkpoint?.seq ?? -1, checkpoint?.id ?? ''],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async push(collection: CollectionName, workspaceId: string, rows: readonly PushRow[], actorId: string | null): Promise<PushResult> {
    const definition = collectionByName(collection);
    if (!definition) throw new Error(`Unknown collection ${collection}`);
    const updatedAt = this.now().toISOString();
    const ids = [...new Set(rows.map((r) => r.newDocumentState['id']).filter((id): id is string => typeof id === 'string'))];
    // Only list pushes can (un)archive, which needs the pusher's role. Read before the
    // transaction: the account store has its own connection use.
    const role = actorId === null ? null : collection === 'lists' ? await this.accounts.roleOf(workspaceId, actorId) : undefined;
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
      const rules = async (): Promise<RuleContext> => ({ role, archivedListIds: await this.archivedLists(tx, workspaceId, listIds) });
      let decisions = decideAll(await this.readCurrents(tx, collection, ids), await rules());
      let written = 0;
      if (decisions.some((d) => d.kind === 'insert' || d.kind === 'update')) {
        const seq = await this.bumpSeq(tx, workspaceId);
        // Decide again under the workspace lock: no writer of this workspace can now
        // change these documents before we commit.
        decisions = decideAll(await this.readCurrents(tx, collection, ids), await rules());
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
        if (written > 0) await this.recordHistory(tx, collection, workspaceId, seq);
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
      return { conflicts, rejections, refused, written };
    });
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

  private async readCurrents(tx: SqlExecutor, collection: CollectionName, ids: readonly string[]): Promise<Map<string, CurrentDocument>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE collection = $1 AND id = ANY($2::text[])`,
      [collection, ids],
    );
    return new Map(rows.map((row) => [row.id, { workspaceId: row.workspace_id, document: toWire(row) }]));
  }

  /**
   * Copies the documents this push wrote (the only ones stamped with its `seq`, which was
   * taken under the workspace lock) into the history, in one statement.
   */
  private async recordHistory(tx: SqlExecutor, collection: CollectionName, workspaceId: string, seq: number): Promise<void> {
    await tx.query(
      `INSERT INTO document_history (collection, id, revision, workspace_id, updated_at, updated_by, deleted, data)
       SELECT collection, id, revision, workspace_id, updated_at, updated_by, deleted, data FROM documents
       WHERE workspace_id = $1 AND change_seq = $2 AND collection = $3`,
      [workspaceId, seq, collection],
    );
  }

  /** Which of `listIds` are archived lists of the workspace (read in the push transaction). */
  private async archivedLists(tx: SqlExecutor, workspaceId: string, listIds: readonly string[]): Promise<Set<string>> {
    if (listIds.length === 0) return new Set();
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM documents
       WHERE collection = 'lists' AND workspace_id = $1 AND id = ANY($2::text[]) AND NOT deleted AND data->>'archived' = 'true'`,
      [workspaceId, listIds],
    );
    return new Set(rows.map((r) => r.id));
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

  /** Writes one accepted document; false when an insert met an id that appeared meanwhile. */
  private async write(
    tx: SqlExecutor,
    kind: 'insert' | 'update',
    collection: CollectionName,
    workspaceId: string,
    write: AcceptedWrite,
    stamp: { seq: number; updatedAt: string; actorId: string | null },
  ): Promise<boolean> {
    const params = [collection, write.id, workspaceId, write.revision, stamp.updatedAt, stamp.actorId, write.deleted, stamp.seq, JSON.stringify(write.data)];
    const rows = kind === 'insert'
      ? await tx.query(
        `INSERT INTO documents (collection, id, workspace_id, revision, updated_at, updated_by, deleted, change_seq, data)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9::jsonb)
         ON CONFLICT (collection, id) DO NOTHING
         RETURNING id`,
        params,
      )
      : await tx.query(
        `UPDATE documents SET revision = $4, updated_at = $5::timestamptz, updated_by = $6, deleted = $7,
           change_seq = $8, data = $9::jsonb
         WHERE collection = $1 AND id = $2 AND workspace_id = $3
         RETURNING id`,
        params,
      );
    return rows.length > 0;
  }
}

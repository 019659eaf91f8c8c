/**
 * SQL of the public API (`graphql/public-api.ts`): filtered, id-ordered pages of
 * documents; personal access tokens; and the remembered outcome of each idempotent
 * write. Writes of documents do not live here: they go through `Store.push`, so the
 * public API and the app obey exactly the same rules.
 */
import type { CollectionName } from '../../src/shared/collections';
import type { SqlDriver } from './driver';
import { DOCUMENT_COLUMNS, toWire, type DocumentRow } from './sql-store';
import type { WireDocument } from './store';

export interface DocumentQuery {
  /** Equality filters on content fields (`status: 'done'`, `archived: false`). */
  readonly equals: Readonly<Record<string, string | boolean>>;
  /** Case-insensitive substring of any of `textFields`. */
  readonly text?: string;
  readonly textFields: readonly string[];
  readonly includeDeleted: boolean;
  /** ISO instant; only documents updated at or after it. */
  readonly updatedSince?: string;
  /** Only ids above this one (the cursor). */
  readonly afterId?: string;
  readonly limit: number;
}

export interface AccessTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface StoredOutcome {
  readonly operation: string;
  readonly outcome: Record<string, unknown>;
}

export interface PublicApiStore {
  /** Documents of the workspace matching `query`, ordered by id. */
  list(collection: CollectionName, workspaceId: string, query: DocumentQuery): Promise<WireDocument[]>;
  /** The document with this id in any workspace, with its workspace; undefined when none. */
  get(collection: CollectionName, id: string): Promise<WireDocument | undefined>;
  createAccessToken(token: Omit<AccessTokenRecord, 'createdAt' | 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<AccessTokenRecord>;
  /** The token with this hash, its use recorded (to the minute); undefined when unknown. */
  useAccessToken(tokenHash: string): Promise<AccessTokenRecord | undefined>;
  accessTokensOf(userId: string): Promise<AccessTokenRecord[]>;
  /** Revokes the user's token; false when the user has no such token. */
  revokeAccessToken(userId: string, id: string): Promise<boolean>;
  /**
   * Claims the key for a write about to run: 'claimed' (run it, then `saveOutcome` or
   * `release`), the stored outcome, or 'running' while another request holds the claim.
   * A claim older than `staleSeconds` (its request died) can be claimed again.
   */
  claim(userId: string, clientMutationId: string, operation: string, staleSeconds: number): Promise<'claimed' | 'running' | StoredOutcome>;
  saveOutcome(userId: string, clientMutationId: string, outcome: Record<string, unknown>): Promise<void>;
  /** Drops a claim whose write failed with an error, so a retry runs it. */
  release(userId: string, clientMutationId: string): Promise<void>;
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const TOKEN_COLUMNS = `id, user_id, workspace_id, name, read_only, ${ISO('created_at')} AS created_at,
  ${ISO('expires_at')} AS expires_at, ${ISO('last_used_at')} AS last_used_at, ${ISO('revoked_at')} AS revoked_at`;

interface TokenRow {
  id: string; user_id: string; workspace_id: string; name: string; read_only: boolean;
  created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null;
}

function toToken(row: TokenRow): AccessTokenRecord {
  return {
    id: row.id, userId: row.user_id, workspaceId: row.workspace_id, name: row.name, readOnly: row.read_only,
    createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
  };
}

/** `%` and `_` in a search text are literal characters, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SqlPublicApiStore implements PublicApiStore {
  constructor(private readonly driver: SqlDriver) {}

  async list(collection: CollectionName, workspaceId: string, query: DocumentQuery): Promise<WireDocument[]> {
    const params: unknown[] = [collection, workspaceId];
    const where = ['collection = $1', 'workspace_id = $2'];
    const param = (value: unknown) => `$${params.push(value)}`;
    for (const [field, value] of Object.entries(query.equals)) {
      where.push(`data->>${param(field)} = ${param(String(value))}`);
    }
    if (query.text) {
      const pattern = param(likePattern(query.text));
      where.push(`(${query.textFields.map((f) => `data->>${param(f)} ILIKE ${pattern}`).join(' OR ') || 'false'})`);
    }
    if (!query.includeDeleted) where.push('NOT deleted');
    if (query.updatedSince) where.push(`updated_at >= ${param(query.updatedSince)}::timestamptz`);
    if (query.afterId) where.push(`id > ${param(query.afterId)}`);
    const rows = await this.driver.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${param(query.limit)}`,
      params,
    );
    return rows.map(toWire);
  }

  async get(collection: CollectionName, id: string): Promise<WireDocument | undefined> {
    const [row] = await this.driver.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE collection = $1 AND id = $2`, [collection, id]);
    return row ? toWire(row) : undefined;
  }

  async createAccessToken(token: Omit<AccessTokenRecord, 'createdAt' | 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<AccessTokenRecord> {
    const [row] = await this.driver.query<TokenRow>(
      `INSERT INTO access_tokens (id, token_hash, user_id, workspace_id, name, read_only, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) RETURNING ${TOKEN_COLUMNS}`,
      [token.id, token.tokenHash, token.userId, token.workspaceId, token.name, token.readOnly, token.expiresAt],
    );
    return toToken(row!);
  }

  async useAccessToken(tokenHash: string): Promise<AccessTokenRecord | undefined> {
    const [row] = await this.driver.query<TokenRow & { stale: boolean }>(
      `SELECT ${TOKEN_COLUMNS}, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale FROM access_tokens WHERE token_hash = $1`,
      [tokenHash],
    );
    if (!row) return undefined;
    // lastUsedAt is for people reviewing their tokens: minute precision spares a write per request.
    if (row.stale) await this.driver.query('UPDATE access_tokens SET last_used_at = now() WHERE token_hash = $1', [tokenHash]);
    return toToken(row);
  }

  async accessTokensOf(userId: string): Promise<AccessTokenRecord[]> {
    const rows = await this.driver.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM access_tokens WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
    return rows.map(toToken);
  }

  async revokeAccessToken(userId: string, id: string): Promise<boolean> {
    const rows = await this.driver.query(
      'UPDATE access_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 RETURNING 1',
      [id, userId],
    );
    return rows.length > 0;
  }

  async claim(userId: string, clientMutationId: string, operation: string, staleSeconds: number): Promise<'claimed' | 'running' | StoredOutcome> {
    const claimed = await this.driver.query(
      `INSERT INTO mutation_outcomes (user_id, client_mutation_id, operation) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, client_mutation_id) DO UPDATE SET operation = EXCLUDED.operation, created_at = now()
         WHERE mutation_outcomes.outcome IS NULL AND mutation_outcomes.created_at < now() - make_interval(secs => $4)
       RETURNING 1`,
      [userId, clientMutationId, operation, staleSeconds],
    );
    if (claimed.length > 0) return 'claimed';
    const [row] = await this.driver.query<{ operation: string; outcome: Record<string, unknown> | null }>(
      'SELECT operation, outcome FROM mutation_outcomes WHERE user_id = $1 AND client_mutation_id = $2',
      [userId, clientMutationId],
    );
    return row?.outcome ? { operation: row.operation, outcome: row.outcome } : 'running';
  }

  async saveOutcome(userId: string, clientMutationId: string, outcome: Record<string, unknown>): Promise<void> {
    await this.driver.query(
      'UPDATE mutation_outcomes SET outcome = $3::jsonb WHERE user_id = $1 AND client_mutation_id = $2',
      [userId, clientMutationId, JSON.stringify(outcome)],
    );
  }

  async release(userId: string, clientMutationId: string): Promise<void> {
    await this.driver.query('DELETE FROM mutation_outcomes WHERE user_id = $1 AND client_mutation_id = $2 AND outcome IS NULL', [userId, clientMutationId]);
  }
}

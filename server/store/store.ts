/**
 * The server's storage contract for replicated documents. One SQL implementation
 * (`sql-store.ts`) runs it over PGlite or PostgreSQL.
 *
 * Callers must guarantee:
 * - `collection` is one of `COLLECTIONS` (the store does not re-check it);
 * - `limit` has been checked by the caller (1..1000);
 * - push rows come from an untrusted client: the store checks them itself.
 *
 * The store guarantees:
 * - every push is one transaction: all accepted rows become visible together, with the
 *   same change sequence number, or none does;
 * - change sequence numbers of a workspace become visible in increasing order, so a
 *   reader that has seen `(seq, id)` never later finds a change below it (gap-free pull);
 * - a push row is written only when its assumed master state carries the current
 *   revision; a replay of an already applied write is a no-op; everything else comes
 *   back as a conflict (the current document) or a typed rejection, never an exception;
 * - documents of another workspace are never returned, changed or revealed.
 */
import type { CollectionName } from '../../src/shared/collections';
import type { FieldError } from '../../src/shared/validate';
import type { AccountStore } from '../auth/account-store';
import type { BucketDigest } from '../../src/shared/digest';
import type { PublicApiStore } from './public-api-store';

/** Position in a workspace's change feed. Documents are ordered by `(seq, id)`. */
export interface Checkpoint {
  readonly seq: number;
  readonly id: string;
}

/** A document as clients see it: the flat shared shape plus the tombstone flag. */
export interface WireDocument {
  readonly id: string;
  readonly workspaceId: string;
  readonly revision: number;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
  readonly deleted: boolean;
  readonly [field: string]: unknown;
}

/** A document proposed by a client; server stamps may be absent. */
export type ProposedDocument = Record<string, unknown>;

export interface PushRow {
  readonly assumedMasterState?: ProposedDocument | null;
  readonly newDocumentState: ProposedDocument;
}

/** Stable refusal codes; the SDL's `RejectionCode` enum lists the same. */
export const REJECTION_CODES = ['VALIDATION', 'FORBIDDEN', 'NOT_A_MEMBER', 'LIST_ARCHIVED', 'REVISION_INVALID'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  readonly id: string;
  readonly code: RejectionCode;
  readonly message: string;
  readonly fields: readonly FieldError[];
}

export interface PushResult {
  readonly conflicts: WireDocument[];
  readonly rejections: Rejection[];
  /** The server's current document of each refused row it has: what the record really is now. */
  readonly refused: WireDocument[];
  /** Number of documents written; zero when every row was a no-op, conflict or rejection. */
  readonly written: number;
  /** True when the answer came from the receipt of an earlier push with the same write id. */
  readonly replayed?: boolean;
}

/** Options of one push. */
export interface PushOptions {
  /**
   * The client's id for this write (retries of the same batch reuse it). A push whose
   * write id was already applied is not applied again: the stored answer comes back.
   */
  readonly writeId?: string;
}

/** A write id sent again with different rows (or by another user): refused, nothing applied. */
export class WriteIdReusedError extends Error {
  constructor(writeId: string) {
    super(`Write id ${writeId} was already used for a different push`);
    this.name = 'WriteIdReusedError';
  }
}

/**
 * The checkpoint is older than a tombstone the server has purged: the client may have
 * missed a deletion and must resync from scratch (checkpoint null).
 */
export class CheckpointExpiredError extends Error {
  constructor() {
    super('The checkpoint predates the tombstone retention window: resync from scratch');
    this.name = 'CheckpointExpiredError';
  }
}

/** One accepted revision of a document, as the server stored it. */
export interface HistoryEntry {
  readonly revision: number;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
  /** The author's email, when the author is a known user. */
  readonly updatedByEmail: string | null;
  readonly deleted: boolean;
  /** Content fields of this revision. */
  readonly data: Record<string, unknown>;
}

export interface PullResult {
  readonly documents: WireDocument[];
  readonly checkpoint: Checkpoint | null;
}

/** One changed document of any collection, as the change feed reads it. */
export interface Change {
  readonly collection: CollectionName;
  readonly seq: number;
  readonly document: WireDocument;
}

export interface Store {
  /** Users, memberships and sessions (same database). */
  readonly accounts: AccountStore;
  /** Plain queries, access tokens and mutation outcomes of the public API (`graphql/public-api.ts`). */
  readonly publicApi: PublicApiStore;
  /** Creates the workspace unless it exists (then nothing changes). */
  ensureWorkspace(workspaceId: string, name: string): Promise<void>;
  /** True when the workspace exists. */
  workspaceExists(workspaceId: string): Promise<boolean>;
  /**
   * Documents of `collection` after `checkpoint`, ordered by `(seq, id)`, at most `limit`.
   * Throws `CheckpointExpiredError` when tombstones after the checkpoint were purged.
   */
  pull(collection: CollectionName, workspaceId: string, checkpoint: Checkpoint | null, limit: number): Promise<PullResult>;
  /**
   * Like `pull`, restricted to ids ending with `bucket` (reconciliation repair);
   * never expires the checkpoint, since the caller re-reads the whole bucket.
   */
  pullBucket(collection: CollectionName, workspaceId: string, bucket: string, checkpoint: Checkpoint | null, limit: number): Promise<PullResult>;
  /** Per-collection digests of the live documents (see `src/shared/digest.ts`). */
  digest(workspaceId: string): Promise<{ collection: CollectionName; buckets: BucketDigest[] }[]>;
  /** How many documents of `collection` come after `checkpoint` (for pull progress estimates). */
  countAfter(collection: CollectionName, workspaceId: string, checkpoint: Checkpoint | null): Promise<number>;
  /**
   * Applies the rows in order, in one transaction. `actorId` is stamped as `updatedBy`.
   * With a write id, a replay (after success, after a timeout, or in flight at the same
   * time) applies nothing and answers what the first one answered (`written: 0`).
   * Throws `WriteIdReusedError` when the write id came with different rows.
   */
  push(collection: CollectionName, workspaceId: string, rows: readonly PushRow[], actorId: string | null, options?: PushOptions): Promise<PushResult>;
  /** Every accepted revision of a document, oldest first (empty when unknown in the workspace). */
  history(collection: CollectionName, workspaceId: string, id: string): Promise<HistoryEntry[]>;
  /** The highest change sequence number committed in the workspace (0 when none). */
  currentSeq(workspaceId: string): Promise<number>;
  /** Removes tombstones older than `before`; returns how many. */
  purgeTombstones(before: Date): Promise<number>;
  /** Forgets push write ids older than `before`; returns how many. */
  purgeReceipts(before: Date): Promise<number>;
  /** Null when the database answers and the schema is fully migrated, else the problem. */
  readiness(): Promise<string | null>;
  /**
   * Changes of every collection after `after`, ordered by `(seq, id)`, at most `limit`.
   * `after.id === null` means after every document of `after.seq`.
   */
  changesSince(workspaceId: string, after: { seq: number; id: string | null }, limit: number): Promise<Change[]>;
  close(): Promise<void>;
}

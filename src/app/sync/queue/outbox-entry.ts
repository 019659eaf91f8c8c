/**
 * One record's sync state, as the person sees it (DESIGN.md, "Sync states"), and the
 * pure transitions between states. Persisted per record in the local-only `outbox`
 * collection; driven only by what really happened (a local write, a request going out,
 * its answer, connectivity), never by timers.
 */
import type { CollectionName } from '../../../shared/collections';

export type RecordState = 'pending' | 'syncing' | 'retrying' | 'failed' | 'rejected' | 'review' | 'synced';
export type Operation = 'create' | 'update' | 'delete';

export interface RejectionInfo {
  readonly code: string;
  readonly message: string;
  readonly fields: readonly { field: string; message: string }[];
  /** The refused version (wire form): kept so the person can fix, move, export or discard it. */
  readonly mine?: Record<string, unknown> | null;
  /** The server's current document when it has one (the record shows it meanwhile). */
  readonly theirs?: Record<string, unknown> | null;
}

/** A conflict the merge could not settle: which fields, why, and all three versions. */
export interface ReviewInfo {
  readonly reasons: readonly { field: string; reason: string }[];
  readonly base: Record<string, unknown> | null;
  readonly mine: Record<string, unknown>;
  readonly theirs: Record<string, unknown>;
}

/** A push row held back from the queue (it failed alone, repeatedly): retried on request. */
export interface ParkedRow {
  readonly assumedMasterState: Record<string, unknown> | null;
  readonly newDocumentState: Record<string, unknown>;
}

export interface OutboxEntry {
  /** `${collection}:${docId}` */
  readonly key: string;
  readonly collection: CollectionName;
  readonly docId: string;
  /** A short human name for the record (task title, list name). */
  readonly label: string;
  readonly operation: Operation;
  readonly state: RecordState;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  readonly lastError: string | null;
  /** Epoch ms of the next automatic attempt, while retrying. */
  readonly nextRetryAt: number | null;
  /** The server revision the pending change is based on (null for a record the server has never seen). */
  readonly baseRevision: number | null;
  /** The revision of the newest local version. */
  readonly localRevision: number;
  /** The last revision the server confirmed for this record. */
  readonly serverRevision: number | null;
  readonly deleted: boolean;
  /** Epoch ms of the last local change. */
  readonly changedAt: number;
  readonly rejection: RejectionInfo | null;
  readonly parked: ParkedRow | null;
  /** While in review: the person's version and the server's, until they decide. */
  readonly review: ReviewInfo | null;
}

export function entryKey(collection: CollectionName, docId: string): string {
  return `${collection}:${docId}`;
}

/** Needs nothing from the server any more. */
export function isSettled(entry: OutboxEntry): boolean {
  return entry.state === 'synced';
}

/** Still waiting to be accepted by the server (what the outbox lists and the header counts). */
export function isPending(entry: OutboxEntry): boolean {
  return entry.state !== 'synced';
}

export interface LocalWrite {
  readonly collection: CollectionName;
  readonly docId: string;
  readonly label: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly isInsert: boolean;
}

/** A local write: the record is saved on the device and waits to be sent. */
export function onLocalWrite(entry: OutboxEntry | undefined, write: LocalWrite, now: number): OutboxEntry {
  const neverOnServer = entry ? entry.serverRevision === null && entry.operation === 'create' && entry.state !== 'synced' : write.isInsert;
  const operation: Operation = write.deleted ? 'delete' : neverOnServer ? 'create' : 'update';
  // A failing queue stays failing: the new version waits behind the same retry.
  const keepsFailure = entry && (entry.state === 'retrying' || entry.state === 'failed');
  // A refused version waits for the person's decision; a later edit of the record (made on
  // the server's state the record now shows) syncs as usual but does not make it go away.
  const keepsRefusal = entry?.state === 'rejected' && entry.rejection !== null;
  // A record without an entry is synced at the revision this write replaces.
  const serverRevision = entry ? entry.serverRevision : write.isInsert ? null : write.revision - 1;
  const base = !entry || entry.state === 'synced' ? serverRevision : entry.baseRevision;
  return {
    key: entryKey(write.collection, write.docId),
    collection: write.collection,
    docId: write.docId,
    label: write.label,
    operation,
    state: keepsRefusal ? 'rejected' : keepsFailure ? entry.state : 'pending',
    attempts: keepsFailure ? entry.attempts : 0,
    lastError: keepsFailure ? entry.lastError : null,
    nextRetryAt: keepsFailure ? entry.nextRetryAt : null,
    baseRevision: write.isInsert ? null : base,
    localRevision: write.revision,
    serverRevision,
    deleted: write.deleted,
    changedAt: now,
    rejection: keepsRefusal ? entry.rejection : null,
    parked: entry?.state === 'failed' ? entry.parked : null,
    review: entry?.state === 'review' ? entry.review : null,
  };
}

/** The record is in a push request that has not been answered. */
export function onPushStarted(entry: OutboxEntry): OutboxEntry {
  // The settled part of a merge, or an edit made after a refusal, goes out while the rest
  // still waits for the person.
  if (entry.state === 'review' && entry.review !== null) return entry;
  if (entry.state === 'rejected' && entry.rejection !== null) return entry;
  return { ...entry, state: 'syncing', nextRetryAt: null };
}

/** The server accepted revision `revision` of the record. */
export function onAccepted(entry: OutboxEntry, revision: number): OutboxEntry {
  const newer = entry.localRevision > revision;
  // A merge that pushed the fields it could settle still waits for the person on the rest;
  // a refused version still waits for their decision when a later edit is accepted.
  const inReview = entry.state === 'review' && entry.review !== null;
  const refused = entry.state === 'rejected' && entry.rejection !== null;
  return {
    ...entry,
    state: inReview ? 'review' : refused ? 'rejected' : newer ? 'pending' : 'synced',
    attempts: 0,
    lastError: null,
    nextRetryAt: null,
    serverRevision: revision,
    baseRevision: revision,
    operation: newer && entry.operation === 'create' ? 'update' : entry.operation,
    rejection: refused ? entry.rejection : null,
    parked: null,
  };
}

/**
 * A conflict resolved to the server's revision `serverRevision` with nothing left to push
 * (see `ConflictResolvedListener`): the pushed version `pushedRevision` is settled. A
 * newer local write still goes out; a refusal or a review keeps waiting for the person.
 */
export function onResolvedToServer(entry: OutboxEntry, pushedRevision: number, serverRevision: number): OutboxEntry {
  if (entry.state === 'rejected' || entry.state === 'review' || entry.localRevision > pushedRevision) return entry;
  return {
    ...entry, state: 'synced', attempts: 0, lastError: null, nextRetryAt: null,
    serverRevision, baseRevision: serverRevision, rejection: null, parked: null,
  };
}

/**
 * A conflict of the pushed version `pushedRevision` merged into `mergedRevision`: that is
 * the local version now, the one whose acceptance settles the entry. A newer local write
 * made meanwhile stays the one to wait for.
 */
export function onRebased(entry: OutboxEntry, pushedRevision: number, mergedRevision: number): OutboxEntry {
  return entry.localRevision > pushedRevision ? entry : { ...entry, localRevision: mergedRevision };
}

/** A transient failure (network, 5xx, 429): tried again automatically at `nextRetryAt`. */
export function onRetryScheduled(entry: OutboxEntry, attempts: number, error: string, nextRetryAt: number): OutboxEntry {
  return { ...entry, state: 'retrying', attempts, lastError: error, nextRetryAt };
}

/** A failure that needs the person (signed out, a write held back): no automatic retry counts. */
export function onFailed(entry: OutboxEntry, error: string, parked: ParkedRow | null = entry.parked): OutboxEntry {
  return { ...entry, state: 'failed', lastError: error, nextRetryAt: null, parked };
}

/** The server refused the write under its rules; the local version is kept. */
export function onRejected(entry: OutboxEntry, rejection: RejectionInfo): OutboxEntry {
  return { ...entry, state: 'rejected', lastError: rejection.message, nextRetryAt: null, rejection };
}

/** The merge left fields for the person to decide; every version is kept with the entry. */
export function onNeedsReview(entry: OutboxEntry, reason: string, review: ReviewInfo | null = entry.review): OutboxEntry {
  return { ...entry, state: 'review', lastError: reason, nextRetryAt: null, review };
}

/** Connectivity lost: nothing is failing, work waits on the device. */
export function onOffline(entry: OutboxEntry): OutboxEntry {
  return entry.state === 'syncing' || entry.state === 'retrying'
    ? { ...entry, state: 'pending', nextRetryAt: null }
    : entry;
}

/**
 * The person decided a review or a refusal: the entry leaves that state. The local write
 * that carries the decision (if any) follows and is synced like any other change.
 */
export function onDecided(entry: OutboxEntry): OutboxEntry {
  return { ...entry, state: 'pending', lastError: null, nextRetryAt: null, rejection: null, review: null };
}

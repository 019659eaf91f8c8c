/**
 * When a person loses access to a workspace (DESIGN.md, "Queued write no longer
 * allowed"): how the app tells it from other refusals, which of their pending changes
 * belong to it, and what they are told. Plain TypeScript; the steps that touch the
 * device (saving recovered work, purging, switching) are wired in `sync-service.ts`.
 */
import type { CollectionName } from '../../shared/collections';
import { entryKey, type OutboxEntry } from '../sync/queue/outbox-entry';
import type { WorkspaceInfo } from './workspace-context';

/** The reason recorded with recovered work: the server no longer counts the person as a member. */
export const NOT_A_MEMBER = 'NOT_A_MEMBER';

/** A pending change kept after its workspace was dropped from the device: local only, never pushed. */
export interface RecoveredWork {
  /** `${workspaceId}:${collection}:${docId}` */
  readonly key: string;
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly reason: typeof NOT_A_MEMBER;
  readonly recoveredAt: number;
  /** The outbox entry as it was: operation, state (needs review, rejected...), base revision, review or refusal. */
  readonly entry: OutboxEntry;
  /** The person's local version in wire form (a delete is a version with `deleted: true`); null if none was left. */
  readonly localVersion: Record<string, unknown> | null;
}

/**
 * Decided from the server's own answer, never guessed: a FORBIDDEN sync means lost
 * access only when the person's freshly fetched workspaces no longer include it.
 */
export function hasLostAccess(workspaceId: string, workspaces: readonly WorkspaceInfo[]): boolean {
  return !workspaces.some((w) => w.id === workspaceId);
}

/** Where the app goes after leaving a lost workspace: the default one if still theirs, else the first; null if none is left. */
export function fallbackWorkspace(workspaces: readonly WorkspaceInfo[], defaultId: string): WorkspaceInfo | null {
  return workspaces.find((w) => w.id === defaultId) ?? workspaces[0] ?? null;
}

/** The local version of a record: the stored document (tombstones included), else the exact row last sent. */
export type LocalVersionOf = (collection: CollectionName, docId: string) => Promise<Record<string, unknown> | null>;

/**
 * The outbox entries of `workspace` with their local versions, as recovered work. An
 * entry belongs to the workspace its local version names; an entry whose version is
 * gone names none and stays in the outbox (nothing is dropped on a guess).
 */
export async function recoverPending(
  entries: readonly OutboxEntry[],
  localVersionOf: LocalVersionOf,
  workspace: { id: string; name: string },
  now: number,
): Promise<RecoveredWork[]> {
  const recovered: RecoveredWork[] = [];
  for (const entry of entries) {
    const version = (await localVersionOf(entry.collection, entry.docId))
      ?? entry.parked?.newDocumentState ?? entry.rejection?.mine ?? entry.review?.mine ?? null;
    if (version?.['workspaceId'] !== workspace.id) continue;
    recovered.push({
      key: `${workspace.id}:${entryKey(entry.collection, entry.docId)}`,
      workspaceId: workspace.id,
      workspaceName: workspace.name,
      reason: NOT_A_MEMBER,
      recoveredAt: now,
      entry,
      localVersion: version,
    });
  }
  return recovered;
}

/** What the person is told once the app has left the workspace. */
export function lostAccessMessage(workspaceName: string, recovered: number): string {
  const kept = recovered === 0
    ? 'None of your changes were waiting to sync.'
    : `Your ${recovered} unsynced ${recovered === 1 ? 'change is' : 'changes are'} kept under Recovered work.`;
  return `You were removed from ${workspaceName}. ${kept}`;
}

/** Recovered work as a JSON document for the person to keep. */
export function exportRecovered(records: readonly RecoveredWork[], exportedAt: Date): string {
  return JSON.stringify({
    exportedAt: exportedAt.toISOString(),
    records: records.map((r) => ({
      workspaceId: r.workspaceId, workspaceName: r.workspaceName, reason: r.reason, recoveredAt: new Date(r.recoveredAt).toISOString(),
      collection: r.entry.collection, id: r.entry.docId, label: r.entry.label, operation: r.entry.operation, state: r.entry.state,
      baseRevision: r.entry.baseRevision, localVersion: r.localVersion,
    })),
  }, null, 2);
}

/**
 * All replication wiring in one file: RxDB's GraphQL replication for every collection
 * of one workspace, against the server's pull/push/stream operations
 * (shared/graphql-sdl.ts). Swap this file to change the transport.
 */
import type { ReplicationPullHandlerResult } from 'rxdb';
import { replicateGraphQL, type RxGraphQLReplicationState } from 'rxdb/plugins/replication-graphql';
import { combineLatest, map, merge, type Observable } from 'rxjs';
import { COLLECTIONS, type CollectionDefinition } from '../../shared/collections';
import { pullQuery, pushMutation, streamSubscription } from '../../shared/operations';
import type { FieldbookDatabase } from '../data/database';

export interface Checkpoint {
  readonly seq: number;
  readonly id: string;
}

/**
 * Headers on every sync request: past the service worker (sync must reach the network,
 * never its caches) and naming the client (the server's CSRF check wants it).
 */
export const SYNC_HEADERS: Readonly<Record<string, string>> = { 'ngsw-bypass': 'true', 'x-fieldbook-client': 'web' };

export interface ReplicationOptions {
  readonly graphqlHttpUrl: string;
  readonly graphqlWsUrl: string;
  readonly workspaceId: string;
  /** Documents per pull request. Larger batches mean fewer round trips and IndexedDB transactions. */
  readonly pullBatchSize?: number;
  readonly pushBatchSize?: number;
  /** RxDB's fixed wait before retrying a failed request; the transport's retry gate adds the real backoff. */
  readonly retryTimeMs?: number;
  /** The WebSocket's connection parameters (the sign-in token), asked for on every (re)connect. */
  readonly connectionParams?: () => Promise<Record<string, string>>;
  /** False to create the replication without sending anything (to `remove` its meta data). */
  readonly autoStart?: boolean;
  /** The transport for every request (the sync queue's, see `queue/transport.ts`). */
  readonly fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}

export interface WorkspaceReplication {
  readonly states: readonly RxGraphQLReplicationState<unknown, Checkpoint>[];
  /** True while any collection is pulling or pushing. */
  readonly active$: Observable<boolean>;
  /** Every failed request of any collection. */
  readonly error$: Observable<Error>;
  /** Emits whenever documents were received from or accepted by the server. */
  readonly progress$: Observable<unknown>;
  /** Pull now (after reconnecting, when the app resumes). */
  reSync(): void;
  /** Resolves once everything local is pushed and everything remote is pulled. */
  awaitInSync(): Promise<void>;
  /** Stops requests and the live stream (app in the background); `resume` restarts and pulls. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /**
   * Stops for good and deletes the replication's meta data (checkpoints and assumed
   * master states): the next replication of this workspace starts from scratch.
   */
  remove(): Promise<void>;
}

function replicateCollection(
  db: FieldbookDatabase,
  definition: CollectionDefinition,
  options: ReplicationOptions,
): RxGraphQLReplicationState<unknown, Checkpoint> {
  const { plural } = definition;
  const workspaceId = options.workspaceId;
  // The first page of a pull run also asks how many documents remain, for the progress bar.
  let midRun = false;
  return replicateGraphQL<unknown, Checkpoint>({
    collection: db[definition.name] as never,
    replicationIdentifier: `fieldbook-${definition.name}-${workspaceId}-${options.graphqlHttpUrl}`,
    url: { http: options.graphqlHttpUrl, ws: options.graphqlWsUrl },
    deletedField: 'deleted',
    live: true,
    // Only the leading tab creates replications (`tab-leadership.ts`).
    waitForLeadership: false,
    autoStart: options.autoStart ?? true,
    retryTime: options.retryTimeMs ?? 250,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: { ...SYNC_HEADERS },
    pull: {
      batchSize: options.pullBatchSize ?? 500,
      queryBuilder: (checkpoint, limit) => ({
        query: pullQuery(definition, !midRun),
        operationName: `Pull${plural}`,
        variables: { workspaceId, checkpoint: checkpoint ?? null, limit },
      }),
      responseModifier: (batch: ReplicationPullHandlerResult<unknown, Checkpoint>, origin) => {
        if (origin === 'handler') midRun = batch.documents.length >= (options.pullBatchSize ?? 500);
        return batch;
      },
      streamQueryBuilder: () => ({
        query: streamSubscription(definition),
        operationName: `Stream${plural}`,
        variables: { workspaceId },
      }),
      wsOptions: {
        // Asked on every (re)connect, so a socket closed at token expiry comes back with a fresh one.
        ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
        retryAttempts: Number.POSITIVE_INFINITY,
        keepAlive: 10_000,
        // Exponential backoff with full jitter, capped at 30 s.
        retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30_000, 500 * 2 ** retries))),
      },
    },
    push: {
      batchSize: options.pushBatchSize ?? 200,
      queryBuilder: (rows) => ({
        query: pushMutation(definition),
        operationName: `Push${plural}`,
        variables: { workspaceId, rows },
      }),
      // The database holds every workspace the person works in; this replication pushes
      // only its own workspace's documents (the others' are another replication's).
      modifier: (doc: { _deleted: boolean }) => ((doc as { workspaceId?: string }).workspaceId === workspaceId ? doc : null),
      // Rejections were recorded by the transport; RxDB only needs the conflicts.
      responseModifier: (result: { conflicts: unknown[] }) => result.conflicts,
    },
  });
}

/**
 * Deletes the replication meta data (checkpoints, assumed master states) of a workspace
 * that is not replicating now, without sending anything: its next replication starts
 * from scratch.
 */
export async function forgetWorkspaceReplication(db: FieldbookDatabase, options: ReplicationOptions): Promise<void> {
  await replicateWorkspace(db, { ...options, autoStart: false }).remove();
}

export function replicateWorkspace(db: FieldbookDatabase, options: ReplicationOptions): WorkspaceReplication {
  const states = COLLECTIONS.map((definition) => replicateCollection(db, definition, options));
  return {
    states,
    active$: combineLatest(states.map((s) => s.active$)).pipe(map((actives) => actives.some(Boolean))),
    error$: merge(...states.map((s) => s.error$)),
    progress$: merge(...states.flatMap((s) => [s.received$, s.sent$])),
    reSync: () => states.forEach((s) => s.reSync()),
    awaitInSync: async () => {
      await Promise.all(states.map((s) => s.awaitInSync()));
    },
    pause: async () => {
      await Promise.all(states.map((s) => s.pause()));
    },
    resume: async () => {
      await Promise.all(states.map((s) => s.start()));
    },
    cancel: async () => {
      await Promise.all(states.map((s) => s.cancel()));
    },
    remove: async () => {
      await Promise.all(states.map((s) => s.remove()));
    },
  };
}

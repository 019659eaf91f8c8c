/**
 * All replication wiring in one file: RxDB's GraphQL replication for every collection
 * of one workspace, against the server's pull/push/stream operations
 * (shared/graphql-sdl.ts). Swap this file to change the transport.
 */
import { replicateGraphQL, type RxGraphQLReplicationState } from 'rxdb/plugins/replication-graphql';
import { combineLatest, map, merge, type Observable } from 'rxjs';
import { COLLECTIONS, type CollectionDefinition } from '../../shared/collections';
import { selectionOf } from '../../shared/graphql-sdl';
import type { FieldbookDatabase } from '../data/database';

export interface Checkpoint {
  readonly seq: number;
  readonly id: string;
}

export interface Rejection {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  readonly fields: readonly { field: string; message: string }[];
}

export interface ReplicationOptions {
  readonly graphqlHttpUrl: string;
  readonly graphqlWsUrl: string;
  readonly workspaceId: string;
  /** Documents per pull request. Larger batches mean fewer round trips and IndexedDB transactions. */
  readonly pullBatchSize?: number;
  readonly pushBatchSize?: number;
  /** Wait before retrying a failed request (RxDB's fixed retry; the sync-queue issue adds backoff). */
  readonly retryTimeMs?: number;
  /** Told about rows the server refused under its rules. */
  readonly onRejections?: (collection: string, rejections: readonly Rejection[]) => void;
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
  cancel(): Promise<void>;
}

function replicateCollection(
  db: FieldbookDatabase,
  definition: CollectionDefinition,
  options: ReplicationOptions,
): RxGraphQLReplicationState<unknown, Checkpoint> {
  const { typeName, plural } = definition;
  const fields = selectionOf(definition);
  const workspaceId = options.workspaceId;
  return replicateGraphQL<unknown, Checkpoint>({
    collection: db[definition.name] as never,
    replicationIdentifier: `fieldbook-${definition.name}-${workspaceId}-${options.graphqlHttpUrl}`,
    url: { http: options.graphqlHttpUrl, ws: options.graphqlWsUrl },
    deletedField: 'deleted',
    live: true,
    waitForLeadership: true,
    retryTime: options.retryTimeMs ?? 2000,
    // Sync requests must reach the network, never the service worker's caches.
    headers: { 'ngsw-bypass': 'true' },
    pull: {
      batchSize: options.pullBatchSize ?? 500,
      queryBuilder: (checkpoint, limit) => ({
        query: `query Pull${plural}($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pull${plural}(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) {
    documents { ${fields} } checkpoint { seq id }
  }
}`,
        operationName: `Pull${plural}`,
        variables: { workspaceId, checkpoint: checkpoint ?? null, limit },
      }),
      streamQueryBuilder: () => ({
        query: `subscription Stream${plural}($workspaceId: ID!) {
  stream${plural}(workspaceId: $workspaceId) { documents { ${fields} } checkpoint { seq id } }
}`,
        operationName: `Stream${plural}`,
        variables: { workspaceId },
      }),
      wsOptions: {
        retryAttempts: Number.POSITIVE_INFINITY,
        keepAlive: 10_000,
        // Exponential backoff with full jitter, capped at 30 s.
        retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30_000, 500 * 2 ** retries))),
      },
    },
    push: {
      batchSize: options.pushBatchSize ?? 200,
      queryBuilder: (rows) => ({
        query: `mutation Push${plural}($workspaceId: ID!, $rows: [${typeName}PushRow!]!) {
  push${plural}(workspaceId: $workspaceId, rows: $rows) {
    conflicts { ${fields} } rejections { id code message fields { field message } }
  }
}`,
        operationName: `Push${plural}`,
        variables: { workspaceId, rows },
      }),
      responseModifier: (result: { conflicts: unknown[]; rejections: Rejection[] }) => {
        if (result.rejections.length > 0) options.onRejections?.(definition.name, result.rejections);
        return result.conflicts;
      },
    },
  });
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
    cancel: async () => {
      await Promise.all(states.map((s) => s.cancel()));
    },
  };
}

/**
 * The replication operations as GraphQL documents, built from the same collection
 * definitions as the SDL. The app's replication, its transport and other clients
 * (tests, benchmarks) send exactly these.
 */
import type { CollectionDefinition } from './collections';
import { selectionOf } from './graphql-sdl';

/** `pull<Plural>`; with `remaining`, the server also counts what is left after the page. */
export function pullQuery(c: CollectionDefinition, withRemaining = false): string {
  return `query Pull${c.plural}($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pull${c.plural}(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) {
    documents { ${selectionOf(c)} } checkpoint { seq id }${withRemaining ? ' remaining' : ''}
  }
}`;
}

/** `pull<Plural>` of one digest bucket, for reconciliation repair. */
export function bucketPullQuery(c: CollectionDefinition): string {
  return `query Pull${c.plural}Bucket($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!, $bucket: String!) {
  pull${c.plural}(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit, bucket: $bucket) {
    documents { ${selectionOf(c)} } checkpoint { seq id }
  }
}`;
}

/** Per-collection digests of the workspace (reconciliation). */
export const SYNC_DIGEST_QUERY = `query SyncDigest($workspaceId: ID!) {
  syncDigest(workspaceId: $workspaceId) { collection buckets { bucket count hash } }
}`;

/** `push<Plural>`: conflicts with the full server document, refusals with their reasons. */
export function pushMutation(c: CollectionDefinition): string {
  return `mutation Push${c.plural}($workspaceId: ID!, $rows: [${c.typeName}PushRow!]!) {
  push${c.plural}(workspaceId: $workspaceId, rows: $rows) {
    conflicts { ${selectionOf(c)} } rejections { id code message fields { field message } } refused { ${selectionOf(c)} }
  }
}`;
}

export function streamSubscription(c: CollectionDefinition): string {
  return `subscription Stream${c.plural}($workspaceId: ID!) {
  stream${c.plural}(workspaceId: $workspaceId) { documents { ${selectionOf(c)} } checkpoint { seq id } }
}`;
}

/**
 * WebSocket close code the server uses when a connection's sign-in token is missing,
 * invalid or has expired. The client answers it by reconnecting with a fresh token.
 * Not graphql-ws's own 4401 (Unauthorized): its client treats that as fatal and would
 * never reconnect, leaving the live stream dead.
 */
export const WS_CLOSE_UNAUTHORIZED = 4440;

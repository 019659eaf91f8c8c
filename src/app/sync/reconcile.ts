/**
 * Reconciliation: verify the local copy against the server and repair only what differs.
 *
 * 1. Ask the server for its digests (`syncDigest`: per collection, live documents in 256
 *    buckets by id suffix, count + hash; see `shared/digest.ts`) and compute the same
 *    over the local live documents.
 * 2. For each bucket that differs, re-pull that bucket alone (`pull<Plural>(bucket:)`)
 *    and work out the repair: every server document the local copy lacks or holds at
 *    another revision, and a tombstone for every local document the server no longer
 *    has (its tombstone was purged after the retention time, or it never arrived).
 *    Documents with unpushed local changes are left alone: the push settles them.
 * 3. The repair documents are handed to the transport, which adds them to the next pull
 *    answer of their collection, so RxDB stores them as server state (no local write,
 *    nothing pushed back) exactly as if the server had sent them.
 *
 * Plain TypeScript over `fetch`, so it runs in the app and in Node tests alike.
 */
import { COLLECTIONS, type CollectionName } from '../../shared/collections';
import { bucketOf, differingBuckets, digestDocuments, type BucketDigest } from '../../shared/digest';
import { bucketPullQuery, SYNC_DIGEST_QUERY } from '../../shared/operations';

type Doc = Record<string, unknown> & { id: string; revision: number };

export interface ReconcileSource {
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly workspaceId: string;
  /** The local live (not deleted) documents of a collection, in wire form. */
  localDocuments(collection: CollectionName): Promise<readonly Doc[]>;
  /** Ids with local changes the server has not accepted yet. */
  pendingIds(collection: CollectionName): ReadonlySet<string>;
}

export interface RepairPlan {
  /** Buckets compared over all collections. */
  readonly buckets: number;
  /**
   * Buckets that differed and get repairs (the ranges repaired). A bucket that differs
   * only by unpushed local changes is not counted: the push settles it.
   */
  readonly differing: number;
  /** Per collection, the documents to apply as server state. */
  readonly repairs: ReadonlyMap<CollectionName, readonly Record<string, unknown>[]>;
}

const BUCKET_PAGE = 1000;

async function graphql<T>(source: ReconcileSource, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await source.fetch(source.endpoint, {
    method: 'POST',
    headers: { ...source.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!response.ok || !json.data) throw new Error(json.errors?.[0]?.message ?? `server answered ${response.status}`);
  return json.data;
}

/** Every document of one bucket on the server, tombstones still retained included. */
async function pullBucket(source: ReconcileSource, collection: CollectionName, bucket: string): Promise<Doc[]> {
  const definition = COLLECTIONS.find((c) => c.name === collection)!;
  const field = `pull${definition.plural}`;
  const documents: Doc[] = [];
  let checkpoint: unknown = null;
  for (;;) {
    const data = await graphql<Record<string, { documents: Doc[]; checkpoint: unknown }>>(
      source, bucketPullQuery(definition), { workspaceId: source.workspaceId, checkpoint, limit: BUCKET_PAGE, bucket });
    const page = data[field]!;
    documents.push(...page.documents);
    if (page.documents.length < BUCKET_PAGE) return documents;
    checkpoint = page.checkpoint;
  }
}

/** Compares digests and works out the repair; changes nothing. */
export async function planRepair(source: ReconcileSource): Promise<RepairPlan> {
  const data = await graphql<{ syncDigest: { collection: CollectionName; buckets: BucketDigest[] }[] }>(
    source, SYNC_DIGEST_QUERY, { workspaceId: source.workspaceId });
  let buckets = 0;
  let differing = 0;
  const repairs = new Map<CollectionName, Record<string, unknown>[]>();
  for (const { collection, buckets: serverBuckets } of data.syncDigest) {
    const local = await source.localDocuments(collection);
    const server = new Map(serverBuckets.map((b) => [b.bucket, b]));
    const mine = await digestDocuments(local);
    buckets += new Set([...server.keys(), ...mine.keys()]).size;
    const differ = differingBuckets(server, mine);
    const pending = source.pendingIds(collection);
    const fixes: Record<string, unknown>[] = [];
    for (const bucket of differ) {
      const before = fixes.length;
      const remote = new Map((await pullBucket(source, collection, bucket)).map((d) => [d.id, d]));
      const here = new Map(local.filter((d) => bucketOf(d.id) === bucket).map((d) => [d.id, d]));
      for (const [id, doc] of remote) {
        if (pending.has(id)) continue;
        const copy = here.get(id);
        const liveOnServer = doc['deleted'] !== true;
        if (copy ? copy.revision !== doc.revision || !liveOnServer : liveOnServer) fixes.push(doc);
      }
      for (const [id, doc] of here) {
        if (!remote.has(id) && !pending.has(id)) fixes.push({ ...doc, deleted: true });
      }
      if (fixes.length > before) differing += 1;
    }
    if (fixes.length > 0) repairs.set(collection, fixes);
  }
  return { buckets, differing, repairs };
}

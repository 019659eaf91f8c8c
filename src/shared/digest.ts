/**
 * Reconciliation digests, computed the same way by the server (in SQL, `sql-store.ts`)
 * and by the client (here), so a client can tell which parts of its copy differ.
 *
 * The live (not deleted) documents of a collection are split into buckets by the last
 * `DIGEST_BUCKET_CHARS` characters of their id. Ids are UUIDv7, whose tail is random, so
 * the buckets are even (256 of them). A bucket's digest is its document count and the
 * SHA-256 (hex) of `id:revision` lines joined by commas, in code-unit order of the id
 * (PostgreSQL's `COLLATE "C"`). A client whose bucket digest differs from the server's
 * re-pulls that bucket only.
 */
export const DIGEST_BUCKET_CHARS = 2;

export interface BucketDigest {
  readonly bucket: string;
  readonly count: number;
  readonly hash: string;
}

export interface DigestedDocument {
  readonly id: string;
  readonly revision: number;
}

export function bucketOf(id: string): string {
  return id.slice(-DIGEST_BUCKET_CHARS);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bucket digests of a set of live documents, by bucket. */
export async function digestDocuments(docs: readonly DigestedDocument[]): Promise<Map<string, BucketDigest>> {
  const byBucket = new Map<string, DigestedDocument[]>();
  for (const doc of docs) {
    const bucket = bucketOf(doc.id);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), doc]);
  }
  const digests = new Map<string, BucketDigest>();
  for (const [bucket, members] of byBucket) {
    const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const text = sorted.map((d) => `${d.id}:${d.revision}`).join(',');
    digests.set(bucket, { bucket, count: members.length, hash: await sha256Hex(text) });
  }
  return digests;
}

/** Buckets whose digest differs between the two sides (present on either side only included). */
export function differingBuckets(server: ReadonlyMap<string, BucketDigest>, local: ReadonlyMap<string, BucketDigest>): string[] {
  const buckets = new Set([...server.keys(), ...local.keys()]);
  return [...buckets].filter((b) => server.get(b)?.hash !== local.get(b)?.hash || server.get(b)?.count !== local.get(b)?.count).sort();
}

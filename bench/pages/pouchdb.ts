/**
 * The PouchDB peer in the browser: pouchdb-browser (IndexedDB adapter) replicating with
 * the PouchDB server (`bench/servers/pouchdb.ts`) the way PouchDB apps do. With `pullOnLoad`
 * it pulls everything at once and reports like the W1 floor pages; otherwise the bench
 * drives it through `window.__POUCH__`. Bundled by esbuild, run on the PouchDB server's origin.
 */
import PouchDB from 'pouchdb-browser';

interface PouchConfig {
  /** The server's database URL. */
  readonly remote: string;
  readonly pullBatchSize: number;
  readonly pushBatchSize: number;
  readonly pullOnLoad?: boolean;
}

interface TaskDoc { _id: string; _rev: string; title: string }
interface Replication { on(event: string, f: (e: unknown) => void): Replication; cancel(): void }
interface Pouch {
  replicate: { from(remote: string, options: object): Promise<unknown>; to(remote: string, options: object): Promise<unknown> };
  sync(remote: string, options: object): Replication;
  changes(options: object): Replication;
  info(): Promise<{ doc_count: number }>;
  allDocs(options: object): Promise<{ rows: { doc: TaskDoc }[] }>;
  get(id: string): Promise<TaskDoc>;
  put(doc: TaskDoc): Promise<unknown>;
  bulkDocs(docs: TaskDoc[]): Promise<{ error?: string }[]>;
}

/** The same surface as the app's `AppDbApi` where the workloads overlap; times are epoch ms. */
export interface PouchApi {
  /** Pulls everything; resolves with the documents held. */
  pull(): Promise<number>;
  count(): Promise<number>;
  editAll(tag: string): Promise<number>;
  /** Pushes every local change; resolves with the ms it took. */
  push(): Promise<number>;
  /** Starts live two-way sync. */
  live(): void;
  editOne(index: number, tag: string): Promise<{ startedAt: number; writtenAt: number }>;
  arrival(tag: string): number | null;
}

const now = () => performance.timeOrigin + performance.now();
const retitle = (title: string, tag: string) => `${title.split(' · ')[0]} · ${tag}`;
const config = (window as unknown as { __BENCH__: PouchConfig }).__BENCH__;
const db = new PouchDB('tasks') as Pouch;
const arrivals = new Map<string, number>();
let ids: string[] | undefined;

const api: PouchApi = {
  pull: async () => {
    await db.replicate.from(config.remote, { batch_size: config.pullBatchSize });
    return (await db.info()).doc_count;
  },
  count: async () => (await db.info()).doc_count,
  editAll: async (tag) => {
    const { rows } = await db.allDocs({ include_docs: true });
    const results = await db.bulkDocs(rows.map(({ doc }) => ({ ...doc, title: retitle(doc.title, tag) })));
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`${failed.length} local edits failed`);
    return rows.length;
  },
  push: async () => {
    const started = performance.now();
    await db.replicate.to(config.remote, { batch_size: config.pushBatchSize });
    return performance.now() - started;
  },
  live: () => {
    db.changes({ since: 'now', live: true, include_docs: true }).on('change', (change) => {
      const tag = (change as { doc?: TaskDoc }).doc?.title.split(' · ')[1];
      if (tag && !arrivals.has(tag)) arrivals.set(tag, now());
    });
    db.sync(config.remote, { live: true, retry: true, batch_size: config.pushBatchSize });
  },
  editOne: async (index, tag) => {
    ids ??= (await db.allDocs({})).rows.map((r) => (r as unknown as { id: string }).id);
    const doc = await db.get(ids[index]!);
    const startedAt = now();
    await db.put({ ...doc, title: retitle(doc.title, tag) });
    return { startedAt, writtenAt: now() };
  },
  arrival: (tag) => arrivals.get(tag) ?? null,
};

(window as unknown as { __POUCH__: PouchApi }).__POUCH__ = api;
if (config.pullOnLoad) {
  api.pull().then(
    (held) => ((window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: performance.now(), held }),
    (error: unknown) => ((window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: Number.NaN, error: String(error) }),
  );
}

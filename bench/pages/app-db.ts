/**
 * The signed-in person's own RxDB database, opened a second time in another tab of the
 * app's context (RxDB is multi-instance: writes made here reach the app's tab, which
 * replicates them, and writes the app's replication makes are seen here), so W2 and W3
 * can make local edits and watch arrivals at a scale the UI cannot drive. Bundled by
 * esbuild, run in a blank page on the server's origin. Edits go through the app's
 * database wiring (`incrementalPatch`, the revision hook), like the task store's `update`.
 */
import { createFieldbookDatabase, type FieldbookDatabase } from '../../src/app/data/database';

interface AppDbConfig { readonly databaseName: string }

/** What the bench calls through `page.evaluate`; times are epoch ms with sub-ms precision, one clock for every page of the browser. */
export interface AppDbApi {
  count(): Promise<number>;
  /** Retitles every task (`<title> · <tag>`), `parallel` writes at a time. */
  editAll(tag: string, parallel: number): Promise<number>;
  /** Retitles the `index`-th task (by id) to carry `tag`; returns when the write was made, and when it returned. */
  editOne(index: number, tag: string): Promise<{ startedAt: number; writtenAt: number }>;
  /** When a task titled with `tag` was first seen in this database, or null. */
  arrival(tag: string): number | null;
}

const now = () => performance.timeOrigin + performance.now();
const retitle = (title: string, tag: string) => `${title.split(' · ')[0]} · ${tag}`;

function api(db: FieldbookDatabase): AppDbApi {
  const arrivals = new Map<string, number>();
  // Tags are the title's suffix; every write (local or from replication) passes here.
  db.tasks.eventBulks$.subscribe((bulk) => {
    const at = now();
    for (const event of bulk.events) {
      const tag = (event.documentData as { title?: string } | undefined)?.title?.split(' · ')[1];
      if (tag && !arrivals.has(tag)) arrivals.set(tag, at);
    }
  });
  let ids: string[] | undefined;
  const taskIds = async () => (ids ??= (await db.tasks.find({ sort: [{ id: 'asc' }] }).exec()).map((d) => d.id));
  return {
    count: () => db.tasks.count().exec(),
    editAll: async (tag, parallel) => {
      const docs = await db.tasks.find().exec();
      for (let i = 0; i < docs.length; i += parallel) {
        await Promise.all(docs.slice(i, i + parallel).map((doc) => doc.incrementalPatch({ title: retitle(doc.title, tag) })));
      }
      return docs.length;
    },
    editOne: async (index, tag) => {
      const id = (await taskIds())[index];
      const doc = id ? await db.tasks.findOne(id).exec() : null;
      if (!doc) throw new Error(`no task at ${index}`);
      const startedAt = now();
      await doc.incrementalPatch({ title: retitle(doc.title, tag) });
      return { startedAt, writtenAt: now() };
    },
    arrival: (tag) => arrivals.get(tag) ?? null,
  };
}

const config = (window as unknown as { __BENCH__: AppDbConfig }).__BENCH__;
createFieldbookDatabase(config.databaseName).then(
  (db) => ((window as unknown as { __APP_DB__: AppDbApi }).__APP_DB__ = api(db)),
  (error: unknown) => ((window as unknown as { __APP_DB_ERROR__: string }).__APP_DB_ERROR__ = String(error)),
);

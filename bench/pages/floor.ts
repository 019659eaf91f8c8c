/**
 * The floor for initial sync: the same pull pages the app asks for, fetched with plain
 * `fetch` and written with raw Dexie `bulkPut`, one transaction per page. Bundled by
 * esbuild and run in a blank page on the server's origin.
 */
import Dexie from 'dexie';

interface FloorConfig {
  readonly total: number;
  readonly batchSize: number;
  readonly query: string;
  readonly workspaceId: string;
  /** `Bearer <token>` of a member of the workspace. */
  readonly authorization: string;
  /** Fetch the next page while the current one is being written. */
  readonly pipelined: boolean;
}

declare global {
  interface Window {
    __BENCH__: FloorConfig;
    __BENCH_RESULT__?: { ms: number; requests: number; transactions: number; graphql?: [number, number][]; error?: string };
  }
}

type Page = { documents: { id: string; deleted: boolean }[]; checkpoint: { seq: number; id: string } | null };

async function run(config: FloorConfig): Promise<void> {
  const db = new Dexie('floor');
  db.version(1).stores({ tasks: 'id, [listId+createdAt+id]' });
  await db.open();
  let requests = 0;
  let transactions = 0;
  let written = 0;
  const fetchPage = async (checkpoint: Page['checkpoint']): Promise<Page> => {
    requests++;
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: config.authorization },
      body: JSON.stringify({ query: config.query, variables: { workspaceId: config.workspaceId, checkpoint, limit: config.batchSize } }),
    });
    const body = (await res.json()) as { data: { pullTasks: Page } };
    return body.data.pullTasks;
  };
  let next = fetchPage(null);
  for (;;) {
    const page = await next;
    if (page.documents.length === 0) break;
    const more = page.documents.length >= config.batchSize;
    if (config.pipelined && more) next = fetchPage(page.checkpoint);
    transactions++;
    await db.table('tasks').bulkPut(page.documents);
    written += page.documents.length;
    if (!more) break;
    if (!config.pipelined) next = fetchPage(page.checkpoint);
  }
  const count = await db.table('tasks').count();
  if (count < config.total) throw new Error(`floor holds ${count} of ${config.total} (${written} written)`);
  const graphql = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
    .filter((e) => e.name.endsWith('/graphql'))
    .map((e) => [e.startTime, e.responseEnd] as [number, number]);
  window.__BENCH_RESULT__ = { ms: performance.now(), requests, transactions, graphql };
}

run(window.__BENCH__).catch((error: unknown) => {
  window.__BENCH_RESULT__ = { ms: Number.NaN, requests: 0, transactions: 0, error: String(error) };
});

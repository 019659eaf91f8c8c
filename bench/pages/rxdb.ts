/**
 * Attribution for W1: Fieldbook's own database and replication wiring
 * (`src/app/data/database.ts`, `src/app/sync/replication.ts`) without Angular, the UI's
 * live queries or the sync queue's transport. Bundled by esbuild, run in a blank page on
 * the server's origin.
 */
import { createFieldbookDatabase } from '../../src/app/data/database';
import { replicateWorkspace } from '../../src/app/sync/replication';

interface RxdbConfig { readonly total: number; readonly workspaceId: string; readonly authorization: string; readonly pullBatchSize?: number }

async function run(config: RxdbConfig): Promise<void> {
  const db = await createFieldbookDatabase('fieldbook');
  const origin = location.origin;
  const replication = replicateWorkspace(db, {
    graphqlHttpUrl: `${origin}/graphql`,
    graphqlWsUrl: `${origin.replace(/^http/, 'ws')}/graphql`,
    workspaceId: config.workspaceId,
    // RxDB passes a Request (its headers inside), the app's transport a URL and init.
    fetch: (input, init) => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set('authorization', config.authorization);
      return fetch(new Request(request, { headers }));
    },
    connectionParams: async () => ({ authorization: config.authorization }),
    ...(config.pullBatchSize ? { pullBatchSize: config.pullBatchSize } : {}),
  });
  await replication.awaitInSync();
  const count = await db.tasks.count().exec();
  if (count < config.total) throw new Error(`RxDB holds ${count} of ${config.total}`);
  const graphql = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
    .filter((e) => e.name.endsWith('/graphql'))
    .map((e) => [e.startTime, e.responseEnd] as [number, number]);
  (window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: performance.now(), requests: graphql.length, graphql };
}

run((window as unknown as { __BENCH__: RxdbConfig }).__BENCH__).catch((error: unknown) => {
  (window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: Number.NaN, error: String(error) };
});

/**
 * W2's floor in the browser: the push requests the app's replication would send for the
 * same edits (batches of the app's push size, the same GraphQL JSON), POSTed one after
 * another with `fetch` to the floor server (`bench/servers/push-floor.ts`), which writes
 * each batch with one multi-row upsert. Bundled by esbuild, run on the floor server's origin.
 */
interface PushFloorConfig {
  readonly query: string;
  readonly workspaceId: string;
  readonly batchSize: number;
  /** `{ assumedMasterState, newDocumentState }` rows, as RxDB builds them. */
  readonly rows: readonly unknown[];
}

async function run(config: PushFloorConfig): Promise<void> {
  const started = performance.now();
  let requests = 0;
  for (let i = 0; i < config.rows.length; i += config.batchSize) {
    const res = await fetch('/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: config.query, operationName: 'PushTasks', variables: { workspaceId: config.workspaceId, rows: config.rows.slice(i, i + config.batchSize) } }),
    });
    if (!res.ok) throw new Error(`floor push answered ${res.status}: ${await res.text()}`);
    await res.json();
    requests++;
  }
  (window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: performance.now() - started, requests };
}

run((window as unknown as { __BENCH__: PushFloorConfig }).__BENCH__).catch((error: unknown) => {
  (window as unknown as { __BENCH_RESULT__: unknown }).__BENCH_RESULT__ = { ms: Number.NaN, error: String(error) };
});

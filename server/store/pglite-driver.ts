/** `SqlDriver` over PGlite, the embedded PostgreSQL, persisted in a folder. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlDriver, SqlExecutor } from './driver';

/**
 * PostgreSQL's default buffer cache (128 MB) lives in PGlite's WebAssembly memory, that
 * is in the server process; a smaller one keeps the server near 300 MB. Reads that miss
 * it are served from the operating system's file cache.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<R>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/**
 * Creates the database files of a new folder in a worker thread. Creating them runs
 * initdb in a WebAssembly instance of its own, whose memory (~450 MB) the process would
 * otherwise hold until a major garbage collection; the worker's memory goes with it.
 */
async function initialiseInWorker(dataDir: string): Promise<void> {
  const source = `const { workerData } = require('node:worker_threads');
    const { PGlite } = require(workerData.module);
    PGlite.create(workerData.dataDir).then((db) => db.close());`;
  // Resolved here (the worker's own resolution would start from the working directory);
  // createRequire works whether this module is loaded as ESM or, by the CLI's tests, as CommonJS.
  const module = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const worker = new Worker(source, { eval: true, workerData: { dataDir, module } });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`PGlite initialisation stopped with code ${code}`))));
  });
}

export async function openPgliteDriver(dataDir: string): Promise<SqlDriver> {
  await mkdir(dataDir, { recursive: true });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialiseInWorker(dataDir);
  const db = await PGlite.create(dataDir, { startParams: START_PARAMS });
  return {
    exclusiveTransactions: true,
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: () => db.close(),
  };
}

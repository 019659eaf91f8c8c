/**
 * The server under test, as `npm start` runs it (a child process on a free loopback port),
 * on a fresh PGlite folder or a fresh PostgreSQL database each time.
 */
import pg from 'pg';
import { startServer, type RunningServer } from '../../e2e/harness';
import { APP_DIR } from './app-build';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['pglite', 'postgres'];

/** Admin connection used to (re)create the bench database; never the tests' `test` database. */
const ADMIN_URL = process.env['BENCH_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DB = 'fieldbook_bench';

/** The bench database's URL (what the server under test gets as DATABASE_URL on PostgreSQL). */
export function benchDatabaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

async function freshPostgresDatabase(): Promise<string> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${BENCH_DB}`);
  } finally {
    await client.end();
  }
  return benchDatabaseUrl();
}

export interface BenchServer extends RunningServer {
  readonly backend: Backend;
  readonly pid: number | undefined;
}

export async function startBackend(backend: Backend): Promise<RunningServer> {
  const env: Record<string, string> = { STATIC_DIR: APP_DIR, NODE_ENV: 'production' };
  if (backend === 'postgres') env['DATABASE_URL'] = await freshPostgresDatabase();
  return startServer({ env });
}

/**
 * W2's floor server: receives the app's push requests (the same GraphQL JSON bodies) on
 * `POST /push`, and writes each batch's new document states with one multi-row upsert,
 * then answers "no conflicts". No validation, no revision check, no change feed, no
 * history: the physical floor of "receive these bytes, write these rows".
 * PostgreSQL when DATABASE_URL is set (the bench database, its own table), else PGlite in
 * DATA_DIR (PGlite is single-process, so not the server's own folder: the same engine on
 * the same disk).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

async function openDatabase(): Promise<{ query: Query; close: () => Promise<void> }> {
  const url = process.env['DATABASE_URL'];
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    return { query: (sql, params) => pool.query(sql, params), close: () => pool.end() };
  }
  const db = await PGlite.create(process.env['DATA_DIR']!);
  return { query: (sql, params) => db.query(sql, params), close: () => db.close() };
}

const UPSERT = `INSERT INTO bench_push_floor (id, workspace_id, revision, updated_at, deleted, data)
  SELECT d->>'id', d->>'workspaceId', (d->>'revision')::int, (d->>'updatedAt')::timestamptz, (d->>'deleted')::boolean, d
  FROM jsonb_array_elements($1::jsonb) AS d
  ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at, deleted = EXCLUDED.deleted, data = EXCLUDED.data`;
const ANSWER = JSON.stringify({ data: { pushTasks: { conflicts: [], rejections: [] } } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const db = await openDatabase();
await db.query(`CREATE TABLE IF NOT EXISTS bench_push_floor (id text PRIMARY KEY, workspace_id text NOT NULL,
  revision integer NOT NULL, updated_at timestamptz NOT NULL, deleted boolean NOT NULL, data jsonb NOT NULL)`);
await db.query('TRUNCATE bench_push_floor');

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('push floor');
    return;
  }
  readBody(req)
    .then(async (text) => {
      const body = JSON.parse(text) as { variables: { rows: { newDocumentState: unknown }[] } };
      await db.query(UPSERT, [JSON.stringify(body.variables.rows.map((r) => r.newDocumentState))]);
      res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
    })
    .catch((error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)));
});
server.listen(Number(process.env['PORT']), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => void db.close().then(() => process.exit(0)));
  server.closeAllConnections();
});

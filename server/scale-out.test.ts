/**
 * Scale-out on one PostgreSQL: two real server processes (`server/main.ts`) on
 * different ports, sharing the database and the token secret, as behind a load balancer.
 *
 * - A change pushed through instance A reaches a graphql-ws subscriber of instance B
 *   (LISTEN/NOTIFY).
 * - B is killed (SIGKILL, no goodbye). The client reconnects to A, re-syncs from its
 *   last checkpoint (what RxDB does on RESYNC), then follows A's stream: it ends up with
 *   every change, including those committed while it had no live stream.
 * - SIGTERM on A closes its sockets with the reconnect code and the process exits 0.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { COLLECTIONS } from '../src/shared/collections';
import { pullQuery, pushMutation, streamSubscription } from '../src/shared/operations';
import { BACKENDS, gql, newTask, signUpUser, waitFor, WORKSPACE, type TestDatabase, type TestUser } from './test-support';
import { SHUTDOWN_CLOSE_CODE } from './server';

const TASKS = COLLECTIONS.find((c) => c.name === 'tasks')!;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Instance {
  readonly process: ChildProcess;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/** Starts `server/main.ts` as its own process; resolves once it logs that it listens. */
async function startInstance(database: TestDatabase, secret: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.config.databaseUrl!,
      DATA_DIR: database.config.dataDir, AUTH_SECRET: secret, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry['msg'] === 'listening') resolve(String(entry['url']));
    });
  });
  return { process: child, url, logs, exited };
}

async function openStreams(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^fieldbook_open_streams (\d+)$/m.exec(text)?.[1] ?? NaN);
}

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe('two server processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;
  let user: TestUser;
  const clients: Client[] = [];

  before(async () => {
    database = await postgres.create();
    const secret = 'shared-secret-of-the-deployment-0123456789';
    // The first start migrates; start them one after the other so both logs are clean.
    a = await startInstance(database, secret);
    b = await startInstance(database, secret);
    user = await signUpUser(a.url);
  });
  after(async () => {
    for (const client of clients) await client.dispose();
    for (const instance of [a, b]) if (instance && instance.process.exitCode === null) instance.process.kill('SIGKILL');
    await Promise.all([a?.exited, b?.exited]);
    await database?.dispose();
  });

  /** A live-stream client: collects streamed tasks and the last checkpoint, like RxDB. */
  function follow(url: string, seen: Map<string, string>, state: { checkpoint: unknown; closeCode?: number }) {
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${user.accessToken}` },
      on: { closed: (event) => (state.closeCode = (event as { code: number }).code) },
    });
    clients.push(client);
    client.subscribe<{ streamTasks: { documents: { id: string; title: string }[]; checkpoint: unknown } }>(
      { query: streamSubscription(TASKS), variables: { workspaceId: WORKSPACE } },
      {
        next: (result) => {
          for (const doc of result.data?.streamTasks.documents ?? []) seen.set(doc.id, doc.title);
          if (result.data) state.checkpoint = result.data.streamTasks.checkpoint;
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    return client;
  }

  async function pushVia(url: string, title: string): Promise<string> {
    const task = newTask({ title });
    const answer = await gql(url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows: [{ newDocumentState: task }] }, user.accessToken);
    assert.deepEqual(answer.data?.['pushTasks'], { conflicts: [], rejections: [], refused: [] });
    return task['id'] as string;
  }

  it('fans a change pushed through one instance out to a subscriber of the other, and a reconnecting client misses nothing', async () => {
    const seen = new Map<string, string>();
    const state: { checkpoint: unknown; closeCode?: number } = { checkpoint: null };
    follow(b.url, seen, state);
    await waitFor(async () => (await openStreams(b.url)) === 1, 'the stream on B to be live');

    const first = await pushVia(a.url, 'Through A');
    await waitFor(() => seen.get(first) === 'Through A', 'the change pushed through A on the stream of B');

    // B dies without a goodbye; changes keep coming through A while the client has no stream.
    b.process.kill('SIGKILL');
    await b.exited;
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push(await pushVia(a.url, `While B was down ${i}`));

    // Reconnect to A: RESYNC = pull from the last checkpoint, then follow the live stream.
    follow(a.url, seen, state);
    await waitFor(async () => (await openStreams(a.url)) === 1, 'the stream on A to be live');
    let checkpoint = state.checkpoint;
    for (;;) {
      const page = await gql(a.url, pullQuery(TASKS), { workspaceId: WORKSPACE, checkpoint, limit: 2 }, user.accessToken);
      const batch = page.data?.['pullTasks'] as { documents: { id: string; title: string }[]; checkpoint: unknown };
      for (const doc of batch.documents) seen.set(doc.id, doc.title);
      if (batch.documents.length === 0) break;
      checkpoint = batch.checkpoint;
    }
    const last = await pushVia(a.url, 'After the reconnect');
    await waitFor(() => seen.has(last), 'the next change on the stream of A');
    for (const id of [first, ...missed, last]) assert.ok(seen.has(id), `the client has ${id}`);
  });

  it('on SIGTERM closes live sockets with the reconnect code and exits 0', async () => {
    const state: { checkpoint: unknown; closeCode?: number } = { checkpoint: null };
    const streamsBefore = await openStreams(a.url);
    follow(a.url, new Map(), state);
    await waitFor(async () => (await openStreams(a.url)) === streamsBefore + 1, 'this client\'s stream on A');
    a.process.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    await waitFor(() => state.closeCode !== undefined, 'the socket to close');
    assert.equal(state.closeCode, SHUTDOWN_CLOSE_CODE);
    assert.ok(a.logs.some((entry) => entry['msg'] === 'stopping' && entry['signal'] === 'SIGTERM' && typeof entry['time'] === 'string'));
  });
});

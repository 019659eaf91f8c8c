/**
 * Operations endpoints and lifecycle: `/health`, `/ready`, Prometheus `/metrics`,
 * structured logs and graceful shutdown (an in-flight push finishes, new connections
 * are refused, live sockets close with the reconnect code).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { COLLECTIONS } from '../src/shared/collections';
import { pullQuery, pushMutation, streamSubscription } from '../src/shared/operations';
import { createJsonLogger } from './log';
import { buildServer, SHUTDOWN_CLOSE_CODE } from './server';
import { BACKENDS, edited, gql, newTask, signUpUser, startTestServer, testConfig, waitFor, WORKSPACE, type TestServer, type TestUser } from './test-support';

const TASKS = COLLECTIONS.find((c) => c.name === 'tasks')!;

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

for (const backend of BACKENDS) {
  describe(`operations endpoints on ${backend.name}`, () => {
    let test: TestServer;
    let user: TestUser;

    before(async () => {
      test = await startTestServer(backend);
      user = await signUpUser(test.url);
    });
    after(() => test?.dispose());

    it('/health answers that the process is live', async () => {
      const response = await fetch(`${test.url}/health`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'ok' });
    });

    it('/ready answers ready once the database is reachable and migrated', async () => {
      const response = await fetch(`${test.url}/ready`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'ready' });
    });

    it('/metrics counts pushes, pulls, conflicts and refusals, with latency histograms and open streams', async () => {
      const before = await (await fetch(`${test.url}/metrics`)).text();
      const task = newTask();
      const push = (rows: unknown[]) => gql(test.url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows }, user.accessToken);
      await push([{ newDocumentState: task }]);
      await push([{ assumedMasterState: task, newDocumentState: edited(task, { title: 'First' }) }]);
      // Stale base: a conflict. Empty title: a refusal.
      await push([{ assumedMasterState: task, newDocumentState: edited(task, { title: 'Stale' }) }]);
      await push([{ newDocumentState: newTask({ title: '' }) }]);
      await gql(test.url, pullQuery(TASKS), { workspaceId: WORKSPACE, checkpoint: null, limit: 10 }, user.accessToken);

      const client = createClient({ url: `${test.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${user.accessToken}` } });
      const stop = client.subscribe({ query: streamSubscription(TASKS), variables: { workspaceId: WORKSPACE } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      await waitFor(async () => (await test.server.feed.subscriberCount(WORKSPACE)) === 1, 'the stream');

      const response = await fetch(`${test.url}/metrics`);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      const delta = (series: string) => metricValue(text, series) - metricValue(before, series);
      assert.equal(delta('fieldbook_pushes_total{collection="tasks"}'), 4);
      assert.equal(delta('fieldbook_pulls_total{collection="tasks"}'), 1);
      assert.equal(delta('fieldbook_conflicts_total{collection="tasks"}'), 1);
      assert.equal(delta('fieldbook_refusals_total{collection="tasks",code="VALIDATION"}'), 1);
      assert.equal(delta('fieldbook_push_duration_seconds_count{collection="tasks"}'), 4);
      assert.equal(delta('fieldbook_push_duration_seconds_bucket{collection="tasks",le="+Inf"}'), 4);
      assert.equal(metricValue(text, 'fieldbook_open_streams'), 1);
      assert.match(text, /# TYPE fieldbook_pull_duration_seconds histogram/);
      stop();
      await client.dispose();
    });
  });
}

describe('structured logs', () => {
  it('writes one JSON object per line with time, level, message, fields and errors', () => {
    const lines: string[] = [];
    const logger = createJsonLogger('info', (line) => lines.push(line));
    logger.debug('too detailed');
    logger.info('listening', { url: 'http://x' });
    logger.error('fetch failed', new Error('boom'));
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.endsWith('\n')));
    const [info, error] = lines.map((l) => JSON.parse(l));
    assert.deepEqual([info.level, info.msg, info.url], ['info', 'listening', 'http://x']);
    assert.ok(!Number.isNaN(Date.parse(info.time)));
    assert.deepEqual([error.level, error.msg, error.error.message], ['error', 'fetch failed', 'boom']);
  });
});

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe('graceful shutdown on postgres', () => {
  it('lets an in-flight push finish, refuses new connections and closes sockets with the reconnect code', async (t) => {
    const database = await postgres.create();
    t.after(() => database.dispose());
    const logs: string[] = [];
    const server = await buildServer(testConfig(database), { logger: createJsonLogger('info', (line) => logs.push(line)) });
    const { url } = await server.start();
    const user = await signUpUser(url);

    let closeCode: number | undefined;
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${user.accessToken}` },
      on: { closed: (event) => (closeCode = (event as { code: number }).code) } });
    t.after(() => client.dispose());
    client.subscribe({ query: streamSubscription(TASKS), variables: { workspaceId: WORKSPACE } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await waitFor(async () => (await server.feed.subscriberCount(WORKSPACE)) === 1, 'the stream');

    // Hold the workspace's change counter: the push below blocks inside its transaction.
    const blocker = new pg.Client({ connectionString: database.config.databaseUrl! });
    await blocker.connect();
    t.after(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query('SELECT change_seq FROM workspaces WHERE id = $1 FOR UPDATE', [WORKSPACE]);
    const task = newTask({ title: 'In flight at shutdown' });
    const pushing = gql(url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows: [{ newDocumentState: task }] }, user.accessToken);
    await waitFor(() => server.metrics.inFlightPushes === 1, 'the push to be in flight');

    const stopping = server.stop();
    await assert.rejects(fetch(`${url}/health`), 'a new connection is refused once shutdown began');
    await blocker.query('COMMIT');

    const answer = await pushing;
    assert.deepEqual(answer.data?.['pushTasks'], { conflicts: [], rejections: [], refused: [] });
    await stopping;
    await waitFor(() => closeCode !== undefined, 'the socket to close');
    assert.equal(closeCode, SHUTDOWN_CLOSE_CODE);
    const stored = await blocker.query('SELECT data->>\'title\' AS title FROM documents WHERE id = $1', [task['id']]);
    assert.equal(stored.rows[0]?.title, 'In flight at shutdown');
    assert.ok(logs.map((l) => JSON.parse(l)).some((e) => e.msg === 'waiting for in-flight requests' && e.inFlight === 1));
  });

  it('is not ready while a migration of this build is missing', async (t) => {
    const test = await startTestServer(postgres);
    t.after(() => test.dispose());
    const admin = new pg.Client({ connectionString: test.config.databaseUrl! });
    await admin.connect();
    t.after(() => admin.end());
    await admin.query("DELETE FROM schema_migrations WHERE version = '011_tombstone_retention'");
    const response = await fetch(`${test.url}/ready`);
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { reason: string }).reason, /011_tombstone_retention/);
  });
});

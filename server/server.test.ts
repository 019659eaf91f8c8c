import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { COLLECTIONS } from '../src/shared/collections';
import { selectionOf } from '../src/shared/graphql-sdl';
import { buildServer, type FieldbookServer } from './server';
import { BACKENDS, edited, newTask, signUpUser, testConfig, waitFor, WORKSPACE, type TestDatabase } from './test-support';
import type { ServerConfig } from './config';

const taskFields = selectionOf(COLLECTIONS.find((c) => c.name === 'tasks')!);

const PULL_TASKS = `query Pull($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) {
    documents { ${taskFields} }
    checkpoint { seq id }
  }
}`;
const PUSH_TASKS = `mutation Push($workspaceId: ID!, $rows: [TaskPushRow!]!) {
  pushTasks(workspaceId: $workspaceId, rows: $rows) {
    conflicts { ${taskFields} }
    rejections { id code message fields { field message } }
  }
}`;
const STREAM_TASKS = `subscription Stream($workspaceId: ID!) {
  streamTasks(workspaceId: $workspaceId) { documents { ${taskFields} } checkpoint { seq id } }
}`;

interface GraphQLResponse {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

const REMAINING = `query($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) { documents { id } checkpoint { seq id } remaining }
}`;
interface RemainingData { pullTasks: { documents: { id: string }[]; checkpoint: { seq: number; id: string }; remaining: number } }

async function graphql(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

for (const backend of BACKENDS) {
  describe(`GraphQL server on ${backend.name}`, () => {
    let database: TestDatabase;
    let staticDir: string;
    let config: ServerConfig;
    let server: FieldbookServer;
    let url: string;
    let token: string;
    let userId: string;

    before(async () => {
      database = await backend.create();
      staticDir = await mkdtemp(path.join(os.tmpdir(), 'fieldbook-static-'));
      await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Fieldbook</title>');
      config = testConfig(database, { staticDir });
      server = await buildServer(config);
      ({ url } = await server.start());
      ({ accessToken: token, id: userId } = await signUpUser(url));
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
      await rm(staticDir, { recursive: true, force: true });
    });

    async function push(rows: unknown[]) {
      const response = await graphql(url, PUSH_TASKS, { workspaceId: WORKSPACE, rows }, token);
      assert.equal(response.body.errors, undefined);
      return response.body.data.pushTasks as { conflicts: any[]; rejections: any[] };
    }

    async function pullAll(): Promise<Map<string, any>> {
      const docs = new Map<string, any>();
      let checkpoint = null;
      for (;;) {
        const response = await graphql(url, PULL_TASKS, { workspaceId: WORKSPACE, checkpoint, limit: 100 }, token);
        const batch = response.body.data.pullTasks;
        if (batch.documents.length === 0) return docs;
        for (const doc of batch.documents) docs.set(doc.id, doc);
        checkpoint = batch.checkpoint;
      }
    }

    it('returns over HTTP what was pushed over HTTP, in the shared shape', async () => {
      const task = newTask({ title: 'Over the wire', dueAt: '2025-03-01' });
      assert.deepEqual(await push([{ newDocumentState: task }]), { conflicts: [], rejections: [] });
      const pulled = (await pullAll()).get(task['id'] as string);
      assert.deepEqual({ ...pulled, updatedAt: 'stamped' }, { ...task, updatedAt: 'stamped', updatedBy: userId });
    });

    it('tells a pulling client how many documents remain after a page, when asked', async () => {
      const before = (await graphql(url, REMAINING, { workspaceId: WORKSPACE, checkpoint: null, limit: 1 }, token)).body.data as RemainingData;
      const existing = before.pullTasks.remaining + before.pullTasks.documents.length;
      await push(Array.from({ length: 12 }, () => ({ assumedMasterState: null, newDocumentState: newTask() })));
      const first = (await graphql(url, REMAINING, { workspaceId: WORKSPACE, checkpoint: null, limit: 5 }, token)).body.data as RemainingData;
      assert.equal(first.pullTasks.documents.length, 5);
      assert.equal(first.pullTasks.remaining, existing + 12 - 5);
      const next = (await graphql(url, REMAINING, { workspaceId: WORKSPACE, checkpoint: first.pullTasks.checkpoint, limit: 1000 }, token)).body.data as RemainingData;
      assert.equal(next.pullTasks.remaining, 0);
    });

    it('answers a conflict with the server document over HTTP', async () => {
      const task = newTask({ title: 'v1' });
      await push([{ newDocumentState: task }]);
      await push([{ assumedMasterState: task, newDocumentState: edited(task, { title: 'theirs' }) }]);
      const result = await push([{ assumedMasterState: task, newDocumentState: edited(task, { title: 'mine' }) }]);
      assert.deepEqual(result.conflicts.map((d) => [d.id, d.title, d.revision]), [[task['id'], 'theirs', 2]]);
    });

    it('returns rule refusals as typed rejections with field details', async () => {
      const bad = newTask({ title: '' });
      const good = newTask();
      const result = await push([{ newDocumentState: bad }, { newDocumentState: good }]);
      assert.deepEqual(result.rejections, [
        { id: bad['id'], code: 'VALIDATION', message: 'The task is not valid', fields: [{ field: 'title', message: 'title must not be empty' }] },
      ]);
      assert.ok((await pullAll()).has(good['id'] as string));
    });

    for (const limit of [0, 1001]) {
      it(`answers limit ${limit} with a typed BAD_USER_INPUT error, not a 500`, async () => {
        const response = await graphql(url, PULL_TASKS, { workspaceId: WORKSPACE, checkpoint: null, limit }, token);
        assert.notEqual(response.status, 500);
        assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
        assert.match(response.body.errors?.[0]?.message ?? '', /limit/);
      });
    }

    it('answers an unknown workspace as one the caller is not a member of (FORBIDDEN), telling nothing of its existence', async () => {
      const response = await graphql(url, PULL_TASKS, { workspaceId: 'no-such-workspace', checkpoint: null, limit: 10 }, token);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
      const pushResponse = await graphql(url, PUSH_TASKS, { workspaceId: 'no-such-workspace', rows: [{ newDocumentState: newTask() }] }, token);
      assert.equal(pushResponse.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    });

    it('streams a change pushed by another client over graphql-ws', async (t) => {
      const client: Client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` } });
      t.after(() => client.dispose());
      const received: any[] = [];
      const errors: unknown[] = [];
      const unsubscribe = client.subscribe(
        { query: STREAM_TASKS, variables: { workspaceId: WORKSPACE } },
        { next: (result) => received.push(result), error: (error) => errors.push(error), complete: () => undefined },
      );
      t.after(unsubscribe);
      await waitFor(async () => (await server.feed.subscriberCount(WORKSPACE)) > 0, 'the subscription to be live');

      const task = newTask({ title: 'Live!' });
      await push([{ newDocumentState: task }]);
      const batch = await waitFor(
        () => received.find((r) => r.data?.streamTasks.documents.some((d: any) => d.id === task['id'])),
        'the pushed task on the stream',
      );
      assert.deepEqual(errors, []);
      const doc = batch.data.streamTasks.documents.find((d: any) => d.id === task['id']);
      assert.equal(doc.title, 'Live!');
      assert.deepEqual(batch.data.streamTasks.checkpoint, { seq: batch.data.streamTasks.checkpoint.seq, id: task['id'] });

      unsubscribe();
      await waitFor(async () => (await server.feed.subscriberCount(WORKSPACE)) === 0, 'the subscription to end on the server');
    });

    it('serves the app shell on other paths', async () => {
      const response = await fetch(`${url}/tasks/some-route`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<title>Fieldbook<\/title>/);
    });

    it('serves GraphiQL outside production', async () => {
      const response = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /graphiql/i);
    });

    it('keeps pushed data across a server restart', async () => {
      const task = newTask({ title: 'Still here' });
      await push([{ newDocumentState: task }]);
      await server.stop();
      server = await buildServer(config);
      ({ url } = await server.start());
      assert.equal((await pullAll()).get(task['id'] as string)?.title, 'Still here');
    });
  });
}

/**
 * A third-party client written only against the published SDL (`server/schema.graphql`):
 * its operations are checked against that file, and it talks to a real server with
 * plain fetch. Nothing of the app or the server is imported by the client part; the
 * test harness only starts the server and signs a user up.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { buildSchema, parse, validate } from 'graphql';
import { BACKENDS, signUpUser, startTestServer, type TestServer } from '../test-support';

const OPERATIONS = {
  createToken: `mutation CreateToken($w: ID!) { createAccessToken(workspaceId: $w, name: "sdl client", readOnly: false) { token } }`,
  createList: `mutation CreateList($w: ID!) { createList(workspaceId: $w, input: { name: "From outside" }, clientMutationId: "list-1") {
    __typename ... on List { id revision } } }`,
  createTask: `mutation CreateTask($w: ID!, $list: ID!, $m: ID!) { createTask(workspaceId: $w, input: { listId: $list, title: "Written outside" }, clientMutationId: $m) {
    __typename ... on Task { id revision title } } }`,
  updateTask: `mutation UpdateTask($id: ID!, $rev: Int!, $title: String!, $m: ID!) {
    updateTask(id: $id, expectedRevision: $rev, patch: { title: $title }, clientMutationId: $m) {
      __typename
      ... on Task { id revision title }
      ... on RevisionConflict { message current { ... on Task { id revision title } } }
      ... on RuleViolation { code message }
    } }`,
  task: `query Task($id: ID!) { task(id: $id) { id revision title } }`,
} as const;

/** The whole client: one POST per operation, Bearer token, JSON in and out. */
async function call(url: string, token: string | undefined, operation: keyof typeof OPERATIONS, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: OPERATIONS[operation], variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return Object.values(body.data ?? {})[0];
}

describe('the SDL-only client', () => {
  it('uses only operations valid against the published schema.graphql', async () => {
    const sdl = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    const schema = buildSchema(sdl);
    for (const [name, text] of Object.entries(OPERATIONS)) assert.deepEqual(validate(schema, parse(text)).map((e) => e.message), [], name);
  });
});

for (const backend of BACKENDS) {
  describe(`the SDL-only client on ${backend.name}`, () => {
    let env: TestServer;
    let token: string;
    let workspaceId: string;
    before(async () => {
      env = await startTestServer(backend);
      const user = await signUpUser(env.url);
      workspaceId = (await (await fetch(`${env.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
        body: JSON.stringify({ query: 'mutation { createWorkspace(name: "Outside") { id } }' }),
      })).json() as { data: { createWorkspace: { id: string } } }).data.createWorkspace.id;
      token = (await call(env.url, user.accessToken, 'createToken', { w: workspaceId })).token;
    });
    after(() => env.dispose());

    it('creates, gets a RevisionConflict for a stale revision, and a retried mutation id applies once', async () => {
      const list = await call(env.url, token, 'createList', { w: workspaceId });
      assert.deepEqual([list.__typename, list.revision], ['List', 1]);
      const created = await call(env.url, token, 'createTask', { w: workspaceId, list: list.id, m: 'task-1' });
      assert.deepEqual([created.__typename, created.revision], ['Task', 1]);
      // A retry of the create (say, the answer was lost) returns the same task, not a second one.
      assert.deepEqual(await call(env.url, token, 'createTask', { w: workspaceId, list: list.id, m: 'task-1' }), created);

      const first = await call(env.url, token, 'updateTask', { id: created.id, rev: 1, title: 'Edited once', m: 'edit-1' });
      assert.deepEqual(first, { __typename: 'Task', id: created.id, revision: 2, title: 'Edited once' });

      const stale = await call(env.url, token, 'updateTask', { id: created.id, rev: 1, title: 'Edited from a stale copy', m: 'edit-2' });
      assert.equal(stale.__typename, 'RevisionConflict');
      assert.deepEqual(stale.current, { id: created.id, revision: 2, title: 'Edited once' });

      // Re-applied on the current revision, then retried with the same id: applied once.
      const fixed = await call(env.url, token, 'updateTask', { id: created.id, rev: 2, title: 'Edited from a stale copy', m: 'edit-3' });
      const retried = await call(env.url, token, 'updateTask', { id: created.id, rev: 2, title: 'Edited from a stale copy', m: 'edit-3' });
      assert.deepEqual(fixed, { __typename: 'Task', id: created.id, revision: 3, title: 'Edited from a stale copy' });
      assert.deepEqual(retried, fixed);
      assert.deepEqual(await call(env.url, token, 'task', { id: created.id }), { id: created.id, revision: 3, title: 'Edited from a stale copy' });
    });
  });
}

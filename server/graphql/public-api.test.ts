/**
 * The public API over the real endpoint, on PGlite and PostgreSQL: list/filter/paginate,
 * union results of writes, idempotent retries, roles, personal access tokens, and plain
 * writes reaching a replication stream subscriber live.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { BACKENDS, gql as send, signUpUser, startTestServer, waitFor, type GraphQLAnswer, type TestServer, type TestUser } from '../test-support';

const TASK_FIELDS = 'id workspaceId listId title notes status priority dueAt assigneeId revision updatedBy deleted';
const resultOf = (type: 'Task' | 'List', fields: string) => `__typename
  ... on ${type} { ${fields} }
  ... on RevisionConflict { message current { ... on ${type} { ${fields} } } }
  ... on RuleViolation { code message fields { field message } }`;
const RESULT = resultOf('Task', TASK_FIELDS);
const LIST_RESULT = resultOf('List', 'id name archived revision deleted');
const CREATE_LIST = `mutation($w: ID!, $input: ListCreateInput!, $m: ID) { createList(workspaceId: $w, input: $input, clientMutationId: $m) { ${LIST_RESULT} } }`;
const CREATE_TASK = `mutation($w: ID!, $input: TaskCreateInput!, $m: ID) { createTask(workspaceId: $w, input: $input, clientMutationId: $m) { ${RESULT} } }`;
const UPDATE_TASK = `mutation($id: ID!, $rev: Int!, $patch: TaskPatch!, $m: ID) { updateTask(id: $id, expectedRevision: $rev, patch: $patch, clientMutationId: $m) { ${RESULT} } }`;
const DELETE_TASK = `mutation($id: ID!, $rev: Int!, $m: ID) { deleteTask(id: $id, expectedRevision: $rev, clientMutationId: $m) { ${RESULT} } }`;
const TASKS = `query($w: ID!, $filter: TaskFilter, $first: Int, $after: String) {
  tasks(workspaceId: $w, filter: $filter, first: $first, after: $after) { nodes { ${TASK_FIELDS} } pageInfo { endCursor hasNextPage } } }`;
const CREATE_TOKEN = `mutation($w: ID!, $name: String!, $ro: Boolean!, $exp: String) {
  createAccessToken(workspaceId: $w, name: $name, readOnly: $ro, expiresAt: $exp) { token accessToken { id name workspaceId readOnly expiresAt revokedAt } } }`;

const code = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code;

for (const backend of BACKENDS) {
  describe(`public API on ${backend.name}`, () => {
    let env: TestServer;
    let owner: TestUser;
    let workspaceId: string;
    let listId: string;
    before(async () => {
      env = await startTestServer(backend);
      owner = await signUpUser(env.url);
      workspaceId = (await gql('mutation { createWorkspace(name: "Integrations") { id } }', {}, owner.accessToken)).data?.['createWorkspace'].id;
      listId = (await gql(CREATE_LIST, { w: workspaceId, input: { name: 'Inbox' } }, owner.accessToken)).data?.['createList'].id;
    });
    after(() => env.dispose());

    const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => send(env.url, query, variables, token);

    async function createTask(input: Record<string, unknown>, token = owner.accessToken, m?: string): Promise<any> {
      const answer = await gql(CREATE_TASK, { w: workspaceId, input: { listId, ...input }, m }, token);
      assert.deepEqual(answer.errors, undefined);
      return answer.data?.['createTask'];
    }

    async function joinAs(role: 'member' | 'viewer'): Promise<TestUser> {
      const user = await signUpUser(env.url);
      const joinCode = (await gql('mutation($w: ID!, $r: Role!) { createJoinCode(workspaceId: $w, role: $r) }', { w: workspaceId, r: role }, owner.accessToken)).data?.['createJoinCode'];
      await gql('mutation($c: String!) { joinWorkspace(code: $c) { id } }', { c: joinCode }, user.accessToken);
      return user;
    }

    async function token(user: TestUser, readOnly: boolean, expiresAt?: string, w = workspaceId): Promise<{ token: string; id: string }> {
      const answer = await gql(CREATE_TOKEN, { w, name: 'ci', ro: readOnly, exp: expiresAt }, user.accessToken);
      assert.deepEqual(answer.errors, undefined);
      return { token: answer.data?.['createAccessToken'].token, id: answer.data?.['createAccessToken'].accessToken.id };
    }

    it('creates a task with defaults and stamps, and answers a wrong field with a RuleViolation', async () => {
      const task = await createTask({ title: 'Check the pump' });
      assert.equal(task.__typename, 'Task');
      assert.deepEqual([task.status, task.priority, task.notes, task.dueAt, task.revision, task.updatedBy, task.deleted], ['todo', 'none', '', null, 1, owner.id, false]);
      const bad = await createTask({ title: '  ', dueAt: 'tomorrow' });
      assert.equal(bad.__typename, 'RuleViolation');
      assert.equal(bad.code, 'VALIDATION');
      assert.deepEqual(bad.fields.map((f: { field: string }) => f.field).sort(), ['dueAt', 'title']);
    });

    it('updates at the expected revision, answers a stale one with the current task, and deletes', async () => {
      const task = await createTask({ title: 'Order filters' });
      const updated = (await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { status: 'doing', assigneeId: owner.id } }, owner.accessToken)).data?.['updateTask'];
      assert.deepEqual([updated.__typename, updated.revision, updated.status, updated.assigneeId, updated.title], ['Task', 2, 'doing', owner.id, 'Order filters']);
      const stale = (await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { title: 'Lost edit' } }, owner.accessToken)).data?.['updateTask'];
      assert.equal(stale.__typename, 'RevisionConflict');
      assert.deepEqual([stale.current.revision, stale.current.title, stale.current.status], [2, 'Order filters', 'doing']);
      const staleDelete = (await gql(DELETE_TASK, { id: task.id, rev: 1 }, owner.accessToken)).data?.['deleteTask'];
      assert.equal(staleDelete.__typename, 'RevisionConflict');
      const deleted = (await gql(DELETE_TASK, { id: task.id, rev: 2 }, owner.accessToken)).data?.['deleteTask'];
      assert.deepEqual([deleted.__typename, deleted.revision, deleted.deleted], ['Task', 3, true]);
      const again = (await gql(UPDATE_TASK, { id: task.id, rev: 3, patch: { title: 'Revive' } }, owner.accessToken)).data?.['updateTask'];
      assert.deepEqual([again.__typename, again.code], ['RuleViolation', 'VALIDATION']);
      assert.equal(code(await gql(UPDATE_TASK, { id: 'no-such-task', rev: 1, patch: {} }, owner.accessToken)), 'NOT_FOUND');
    });

    it('applies a write once per clientMutationId and answers a retry with the first answer', async () => {
      const first = await createTask({ title: 'Once' }, owner.accessToken, 'create-once');
      const retry = await createTask({ title: 'Once' }, owner.accessToken, 'create-once');
      assert.deepEqual(retry, first);
      const found = (await gql(TASKS, { w: workspaceId, filter: { text: 'Once' } }, owner.accessToken)).data?.['tasks'].nodes;
      assert.equal(found.filter((t: { title: string }) => t.title === 'Once').length, 1);

      const update = (m: string) => gql(UPDATE_TASK, { id: first.id, rev: 1, patch: { status: 'done' }, m }, owner.accessToken);
      const applied = (await update('update-once')).data?.['updateTask'];
      const replayed = (await update('update-once')).data?.['updateTask'];
      assert.deepEqual([applied.__typename, applied.revision], ['Task', 2]);
      assert.deepEqual(replayed, applied);
      assert.equal(code(await gql(DELETE_TASK, { id: first.id, rev: 2, m: 'update-once' }, owner.accessToken)), 'BAD_USER_INPUT');
    });

    it('writes once when duplicates of a mutation arrive at the same time', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => gql(CREATE_TASK, { w: workspaceId, input: { listId, title: 'Concurrent once' }, m: 'concurrent' }, owner.accessToken)));
      // Each duplicate gets the task, or is told to retry while the first one runs.
      for (const answer of answers) assert.ok(answer.data?.['createTask']?.__typename === 'Task' || code(answer) === 'MUTATION_IN_PROGRESS', JSON.stringify(answer));
      const settled = await waitFor(async () => (await gql(CREATE_TASK, { w: workspaceId, input: { listId, title: 'Concurrent once' }, m: 'concurrent' }, owner.accessToken)).data?.['createTask'], 'the outcome');
      assert.equal(settled.__typename, 'Task');
      const found = (await gql(TASKS, { w: workspaceId, filter: { text: 'Concurrent once' } }, owner.accessToken)).data?.['tasks'].nodes;
      assert.deepEqual(found.map((t: { id: string }) => t.id), [settled.id]);
    });

    it('lists with filters and cursor pagination', async () => {
      const other = (await gql(CREATE_LIST, { w: workspaceId, input: { name: 'Paged' } }, owner.accessToken)).data?.['createList'].id;
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await createTask({ listId: other, title: `Paged ${i}`, status: i % 2 ? 'done' : 'todo' }));
      await gql(DELETE_TASK, { id: made[4].id, rev: 1 }, owner.accessToken);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page++) {
        const answer: GraphQLAnswer = await gql(TASKS, { w: workspaceId, filter: { listId: other }, first: 2, after }, owner.accessToken);
        const { nodes, pageInfo } = answer.data?.['tasks'];
        seen.push(...nodes.map((n: { title: string }) => n.title));
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
      assert.deepEqual(seen, ['Paged 0', 'Paged 1', 'Paged 2', 'Paged 3']);
      const done = (await gql(TASKS, { w: workspaceId, filter: { listId: other, status: 'done' } }, owner.accessToken)).data?.['tasks'].nodes;
      assert.deepEqual(done.map((n: { title: string }) => n.title), ['Paged 1', 'Paged 3']);
      const withDeleted = (await gql(TASKS, { w: workspaceId, filter: { listId: other, includeDeleted: true, text: 'paged 4' } }, owner.accessToken)).data?.['tasks'].nodes;
      assert.deepEqual(withDeleted.map((n: { deleted: boolean }) => n.deleted), [true]);
      const future = (await gql(TASKS, { w: workspaceId, filter: { updatedSince: '2999-01-01T00:00:00Z' } }, owner.accessToken)).data?.['tasks'].nodes;
      assert.deepEqual(future, []);
      assert.equal(code(await gql(TASKS, { w: workspaceId, first: 0 }, owner.accessToken)), 'BAD_USER_INPUT');
      assert.equal(code(await gql(TASKS, { w: workspaceId, after: 'garbage' }, owner.accessToken)), 'BAD_USER_INPUT');
      assert.equal(code(await gql(TASKS, { w: workspaceId, filter: { updatedSince: 'yesterday' } }, owner.accessToken)), 'BAD_USER_INPUT');
      assert.equal(code(await gql(TASKS, { w: workspaceId, filter: { status: 'finished' } }, owner.accessToken)), 'BAD_USER_INPUT');
    });

    it('refuses callers without access: anonymous, non-members, viewers', async () => {
      assert.equal(code(await gql(TASKS, { w: workspaceId })), 'UNAUTHENTICATED');
      assert.equal(code(await gql(TASKS, { w: workspaceId }, 'not-a-token')), 'UNAUTHENTICATED');
      const outsider = await signUpUser(env.url);
      assert.equal(code(await gql(TASKS, { w: workspaceId }, outsider.accessToken)), 'FORBIDDEN');
      const refused = await createTask({ title: 'Intruder' }, outsider.accessToken);
      assert.deepEqual([refused.__typename, refused.code], ['RuleViolation', 'NOT_A_MEMBER']);
      const task = await createTask({ title: 'Private' });
      assert.equal(code(await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { title: 'x' } }, outsider.accessToken)), 'NOT_FOUND');
      assert.equal((await gql('query($id: ID!) { task(id: $id) { id } }', { id: task.id }, outsider.accessToken)).data?.['task'], null);

      const viewer = await joinAs('viewer');
      assert.equal((await gql(TASKS, { w: workspaceId, filter: { text: 'Private' } }, viewer.accessToken)).data?.['tasks'].nodes.length, 1);
      const viewerWrite = (await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { title: 'x' } }, viewer.accessToken)).data?.['updateTask'];
      assert.deepEqual([viewerWrite.__typename, viewerWrite.code], ['RuleViolation', 'FORBIDDEN']);
      const member = await joinAs('member');
      const memberWrite = (await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { title: 'Shared' } }, member.accessToken)).data?.['updateTask'];
      assert.deepEqual([memberWrite.__typename, memberWrite.updatedBy], ['Task', member.id]);
    });

    it('personal access tokens: shown once, scoped to a workspace, read-only or read-write, revocable, expiring', async () => {
      const readWrite = await token(owner, false);
      assert.match(readWrite.token, /^fbp_/);
      const made = await createTask({ title: 'Via token' }, readWrite.token);
      assert.deepEqual([made.__typename, made.updatedBy], ['Task', owner.id]);
      assert.equal((await gql('{ me { id } }', {}, readWrite.token)).data?.['me'].id, owner.id);

      const readOnly = await token(owner, true);
      assert.equal((await gql(TASKS, { w: workspaceId, filter: { text: 'Via token' } }, readOnly.token)).data?.['tasks'].nodes.length, 1);
      const refused = await createTask({ title: 'Read-only write' }, readOnly.token);
      assert.deepEqual([refused.__typename, refused.code], ['RuleViolation', 'FORBIDDEN']);

      // Scope: another workspace of the same user is out of reach.
      const elsewhere = (await gql('mutation { createWorkspace(name: "Elsewhere") { id } }', {}, owner.accessToken)).data?.['createWorkspace'].id;
      assert.equal(code(await gql(TASKS, { w: elsewhere }, readWrite.token)), 'FORBIDDEN');
      const outOfScope = (await gql(CREATE_TASK, { w: elsewhere, input: { listId, title: 'x' } }, readWrite.token)).data?.['createTask'];
      assert.deepEqual([outOfScope.__typename, outOfScope.code], ['RuleViolation', 'FORBIDDEN']);

      // Only the plain API: not replication, accounts or minting more tokens.
      assert.equal(code(await gql('query($w: ID!) { pullTasks(workspaceId: $w, limit: 1) { remaining } }', { w: workspaceId }, readWrite.token)), 'FORBIDDEN');
      assert.equal(code(await gql(CREATE_TOKEN, { w: workspaceId, name: 'more', ro: false }, readWrite.token)), 'FORBIDDEN');

      // The secret is never listed again.
      const listed = (await gql('{ accessTokens { id name readOnly revokedAt } }', {}, owner.accessToken)).data?.['accessTokens'];
      assert.ok(listed.some((t: { id: string }) => t.id === readOnly.id));
      assert.ok(!JSON.stringify(listed).includes('fbp_'));

      assert.equal((await gql('mutation($id: ID!) { revokeAccessToken(id: $id) }', { id: readWrite.id }, owner.accessToken)).data?.['revokeAccessToken'], true);
      const revoked = await gql(TASKS, { w: workspaceId }, readWrite.token);
      assert.equal(code(revoked), 'UNAUTHENTICATED');
      assert.match(revoked.errors?.[0]?.message ?? '', /revoked/);
      const stranger = await signUpUser(env.url);
      assert.equal(code(await gql('mutation($id: ID!) { revokeAccessToken(id: $id) }', { id: readOnly.id }, stranger.accessToken)), 'NOT_FOUND');

      assert.equal(code(await gql(CREATE_TOKEN, { w: workspaceId, name: 'past', ro: true, exp: '2000-01-01T00:00:00Z' }, owner.accessToken)), 'BAD_USER_INPUT');
      assert.equal(code(await gql(CREATE_TOKEN, { w: elsewhere, name: 'not mine', ro: true }, stranger.accessToken)), 'FORBIDDEN');
      const expiring = await token(owner, true, new Date(Date.now() + 1500).toISOString());
      assert.equal(code(await gql(TASKS, { w: workspaceId }, expiring.token)), undefined);
      await waitFor(async () => code(await gql(TASKS, { w: workspaceId }, expiring.token)) === 'UNAUTHENTICATED', 'the token to expire', 5_000);

      // A viewer's read-write token still cannot write: a token never exceeds its user's role.
      const viewer = await joinAs('viewer');
      const viewerToken = await token(viewer, false);
      const viewerWrite = await createTask({ title: 'Viewer via token' }, viewerToken.token);
      assert.deepEqual([viewerWrite.__typename, viewerWrite.code], ['RuleViolation', 'FORBIDDEN']);
    });

    it('delivers a plain-API change to a replication stream subscriber live', async (t) => {
      const client = createClient({
        url: `${env.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${owner.accessToken}` },
      });
      t.after(() => client.dispose());
      const received: any[] = [];
      const unsubscribe = client.subscribe(
        { query: 'subscription($w: ID!) { streamTasks(workspaceId: $w) { documents { id title revision } } }', variables: { w: workspaceId } },
        { next: (result) => received.push(result), error: () => undefined, complete: () => undefined },
      );
      t.after(unsubscribe);
      await waitFor(async () => (await env.server.feed.subscriberCount(workspaceId)) > 0, 'the subscription to be live');
      const task = await createTask({ title: 'Live from the API' });
      const batch = await waitFor(() => received.find((r) => r.data?.streamTasks.documents.some((d: { id: string }) => d.id === task.id)), 'the created task on the stream');
      assert.equal(batch.data.streamTasks.documents.find((d: { id: string }) => d.id === task.id).title, 'Live from the API');
      await gql(UPDATE_TASK, { id: task.id, rev: 1, patch: { title: 'Edited from the API' } }, owner.accessToken);
      await waitFor(() => received.some((r) => r.data?.streamTasks.documents.some((d: { id: string; revision: number }) => d.id === task.id && d.revision === 2)), 'the update on the stream');
    });
  });
}

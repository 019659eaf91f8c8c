/**
 * Tenant isolation over the real endpoint, on PGlite and PostgreSQL: two people in two
 * workspaces, a viewer and a removed member. Every pull, push (forged `workspaceId`,
 * forged ids that exist in the other workspace), stream, digest, history and plain
 * query is refused or answered without the other workspace's data, and nothing across
 * the boundary changes. Also the WebSocket's authentication: no token, expiry, re-check
 * on every subscribe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { COLLECTIONS, type CollectionName } from '../src/shared/collections';
import { pullQuery, pushMutation, streamSubscription, SYNC_DIGEST_QUERY, WS_CLOSE_UNAUTHORIZED } from '../src/shared/operations';
import { uuidv7 } from '../src/shared/uuid';
import { BACKENDS, edited, gql, newList, newTask, signUpUser, startTestServer, waitFor, type GraphQLAnswer, type TestServer, type TestUser, WORKSPACE } from './test-support';

const collection = (name: CollectionName) => COLLECTIONS.find((c) => c.name === name)!;
const LISTS = collection('lists');
const TASKS = collection('tasks');
const COMMENTS = collection('comments');

const HISTORY = `query($w: ID!, $c: CollectionName!, $id: ID!) { history(workspaceId: $w, collection: $c, id: $id) { revision } }`;
const PLAIN_TASKS = `query($w: ID!) { tasks(workspaceId: $w) { nodes { id title } } }`;
const PLAIN_TASK = `query($id: ID!) { task(id: $id) { id title } }`;
const PLAIN_LIST = `query($id: ID!) { list(id: $id) { id name } }`;
const PLAIN_COMMENT = `query($id: ID!) { comment(id: $id) { id body } }`;
const VIOLATION = `__typename ... on RuleViolation { code } ... on RevisionConflict { current { ... on Task { id title } } } ... on Task { id title }`;
const UPDATE_TASK = `mutation($id: ID!, $rev: Int!) { updateTask(id: $id, expectedRevision: $rev, patch: { title: "Hijacked" }) { ${VIOLATION} } }`;
const DELETE_TASK = `mutation($id: ID!, $rev: Int!) { deleteTask(id: $id, expectedRevision: $rev) { ${VIOLATION} } }`;
const CREATE_TASK = `mutation($w: ID!, $l: ID!) { createTask(workspaceId: $w, input: { listId: $l, title: "Planted" }) { ${VIOLATION} } }`;
const CREATE_TOKEN = `mutation($w: ID!) { createAccessToken(workspaceId: $w, name: "x", readOnly: true) { token } }`;

const code = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code;

interface Seeded {
  readonly list: Record<string, unknown>;
  readonly task: Record<string, unknown>;
  readonly comment: Record<string, unknown>;
}

/** A live stream over graphql-ws with what it received and how it ended. */
interface Follower {
  readonly ids: Set<string>;
  readonly errors: unknown[];
  completed: boolean;
  closeCode?: number;
  readonly client: Client;
}

for (const backend of BACKENDS) {
  describe(`tenant isolation on ${backend.name}`, () => {
    let env: TestServer;
    let alice: TestUser;
    let bob: TestUser;
    let wsA: string;
    let wsB: string;
    let a: Seeded;
    let b: Seeded;
    const clients: Client[] = [];

    const call = (query: string, variables: Record<string, unknown>, user: TestUser) => gql(env.url, query, variables, user.accessToken);
    const push = (c: typeof TASKS, workspaceId: string, rows: unknown[], user: TestUser) => call(pushMutation(c), { workspaceId, rows }, user);

    async function createWorkspace(owner: TestUser, name: string): Promise<string> {
      const answer = await call('mutation($n: String!) { createWorkspace(name: $n) { id } }', { n: name }, owner);
      return answer.data?.['createWorkspace'].id;
    }

    async function join(owner: TestUser, workspaceId: string, role: 'member' | 'viewer'): Promise<TestUser> {
      const user = await signUpUser(env.url);
      const joinCode = (await call('mutation($w: ID!, $r: Role!) { createJoinCode(workspaceId: $w, role: $r) }', { w: workspaceId, r: role }, owner)).data?.['createJoinCode'];
      assert.ok((await call('mutation($c: String!) { joinWorkspace(code: $c) { id } }', { c: joinCode }, user)).data?.['joinWorkspace']);
      return user;
    }

    async function seed(owner: TestUser, workspaceId: string, title: string): Promise<Seeded> {
      const list = newList({ workspaceId, name: `${title} list` });
      const task = newTask({ workspaceId, listId: list['id'], title });
      const comment = { id: uuidv7(), workspaceId, revision: 1, taskId: task['id'], body: `${title} comment`, createdAt: '2025-01-01T00:00:00.000Z', deleted: false };
      for (const [c, doc] of [[LISTS, list], [TASKS, task], [COMMENTS, comment]] as const) {
        const answer = await push(c, workspaceId, [{ newDocumentState: doc }], owner);
        assert.deepEqual(answer.data?.[`push${c.plural}`].rejections, [], `seeding ${c.name}`);
      }
      return { list, task, comment };
    }

    /** Everything the owner sees of the workspace: the state nothing across the boundary may change. */
    async function snapshot(owner: TestUser, workspaceId: string): Promise<unknown> {
      const all: Record<string, unknown> = {};
      for (const c of COLLECTIONS) {
        all[c.name] = (await call(pullQuery(c), { workspaceId, checkpoint: null, limit: 1000 }, owner)).data?.[`pull${c.plural}`];
      }
      return all;
    }

    function follow(user: TestUser, c: typeof TASKS, workspaceId: string): Follower {
      const follower: Follower = { ids: new Set(), errors: [], completed: false, client: undefined as never };
      const client = createClient({
        url: `${env.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${user.accessToken}` },
        on: { closed: (event) => (follower.closeCode = (event as { code: number }).code) },
      });
      clients.push(client);
      client.subscribe<Record<string, { documents: { id: string }[] }>>(
        { query: streamSubscription(c), variables: { workspaceId } },
        {
          next: (result) => {
            for (const doc of result.data?.[`stream${c.plural}`]?.documents ?? []) follower.ids.add(doc.id);
            if (result.errors) follower.errors.push(...result.errors);
          },
          error: (error) => follower.errors.push(error),
          complete: () => (follower.completed = true),
        },
      );
      return Object.assign(follower, { client });
    }

    before(async () => {
      env = await startTestServer(backend);
      alice = await signUpUser(env.url);
      bob = await signUpUser(env.url);
      wsA = await createWorkspace(alice, 'Crew A');
      wsB = await createWorkspace(bob, 'Crew B');
      a = await seed(alice, wsA, 'Alpha secret');
      b = await seed(bob, wsB, 'Bravo work');
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await env?.dispose();
    });

    it('refuses pulls, bucket pulls, digests and history of a workspace the caller is not in', async () => {
      for (const c of COLLECTIONS) {
        const pulled = await call(pullQuery(c), { workspaceId: wsA, checkpoint: null, limit: 100 }, bob);
        assert.equal(code(pulled), 'FORBIDDEN', `pull${c.plural}`);
        assert.equal(pulled.data?.[`pull${c.plural}`] ?? null, null);
      }
      const bucket = String(a.task['id']).slice(-2);
      assert.equal(code(await call(`query($w: ID!, $b: String!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 10, bucket: $b) { documents { id } } }`, { w: wsA, b: bucket }, bob)), 'FORBIDDEN');
      assert.equal(code(await call(SYNC_DIGEST_QUERY, { workspaceId: wsA }, bob)), 'FORBIDDEN');
      assert.equal(code(await call(HISTORY, { w: wsA, c: 'tasks', id: a.task['id'] }, bob)), 'FORBIDDEN');
      // Asking for the other workspace's document through one's own workspace finds nothing.
      assert.deepEqual((await call(HISTORY, { w: wsB, c: 'tasks', id: a.task['id'] }, bob)).data?.['history'], []);
    });

    it('pulls of one\'s own workspace carry none of the other\'s documents', async () => {
      const mine = JSON.stringify(await snapshot(bob, wsB));
      for (const doc of [a.list, a.task, a.comment]) assert.ok(!mine.includes(String(doc['id'])));
      assert.ok(!mine.includes('Alpha secret'));
      assert.ok(mine.includes('Bravo work'));
    });

    it('refuses pushes into another workspace, forged workspace ids and forged ids, changing and revealing nothing', async () => {
      const before = await snapshot(alice, wsA);
      const intoA = await push(TASKS, wsA, [{ newDocumentState: newTask({ workspaceId: wsA, listId: a.list['id'] }) }], bob);
      assert.equal(code(intoA), 'FORBIDDEN');

      const forgedWorkspace = newTask({ workspaceId: wsA, listId: a.list['id'], title: 'Planted in A' });
      // Alice's task id, claimed as new in Bob's workspace; and claimed as an edit of what he guessed it holds.
      const forgedInsert = { ...a.task, workspaceId: wsB, title: 'Overwritten' };
      const forgedEdit = edited({ ...a.task, workspaceId: wsA }, { title: 'Overwritten too' });
      const answer = await push(TASKS, wsB, [
        { newDocumentState: forgedWorkspace },
        { newDocumentState: forgedInsert },
        { assumedMasterState: a.task, newDocumentState: forgedEdit },
      ], bob);
      const result = answer.data?.['pushTasks'];
      assert.deepEqual(result.rejections.map((r: { id: string; code: string }) => [r.id, r.code]).sort(), [
        [forgedWorkspace['id'], 'FORBIDDEN'], [a.task['id'], 'FORBIDDEN'], [a.task['id'], 'FORBIDDEN'],
      ].sort());
      assert.deepEqual(result.conflicts, [], 'no conflict carrying the other workspace\'s document');
      assert.ok(!JSON.stringify(result).includes('Alpha secret'), 'the answer reveals nothing of the other workspace');

      const comment = await push(COMMENTS, wsB, [{ newDocumentState: { ...a.comment, workspaceId: wsB, body: 'planted' } }], bob);
      assert.deepEqual(comment.data?.['pushComments'].rejections.map((r: { code: string }) => r.code), ['FORBIDDEN']);
      const list = await push(LISTS, wsB, [{ assumedMasterState: a.list, newDocumentState: edited({ ...a.list, workspaceId: wsB }, { name: 'mine' }) }], bob);
      assert.deepEqual(list.data?.['pushLists'].rejections.map((r: { code: string }) => r.code), ['FORBIDDEN']);

      assert.deepEqual(await snapshot(alice, wsA), before);
    });

    it('streams nothing of another workspace: subscribing to it is refused, one\'s own stream carries only one\'s own changes', async () => {
      const intruder = follow(bob, TASKS, wsA);
      await waitFor(() => intruder.errors.length > 0 || intruder.completed, 'the refused subscription');
      assert.equal((intruder.errors[0] as { extensions?: { code?: string } })?.extensions?.code, 'FORBIDDEN');
      assert.equal(await env.server.feed.subscriberCount(wsA), 0);

      const own = follow(bob, TASKS, wsB);
      await waitFor(async () => (await env.server.feed.subscriberCount(wsB)) === 1, 'Bob\'s stream');
      const theirs = newTask({ workspaceId: wsA, listId: a.list['id'], title: 'Alpha live' });
      await push(TASKS, wsA, [{ newDocumentState: theirs }], alice);
      const mine = newTask({ workspaceId: wsB, listId: b.list['id'], title: 'Bravo live' });
      await push(TASKS, wsB, [{ newDocumentState: mine }], bob);
      await waitFor(() => own.ids.has(String(mine['id'])), 'Bob\'s own change on his stream');
      assert.ok(!own.ids.has(String(theirs['id'])));
      assert.deepEqual([...own.ids], [mine['id']]);
    });

    it('answers plain queries and writes on another workspace\'s records as if they did not exist, and changes nothing', async () => {
      const before = await snapshot(alice, wsA);
      assert.equal(code(await call(PLAIN_TASKS, { w: wsA }, bob)), 'FORBIDDEN');
      assert.equal((await call(PLAIN_TASK, { id: a.task['id'] }, bob)).data?.['task'], null);
      assert.equal((await call(PLAIN_LIST, { id: a.list['id'] }, bob)).data?.['list'], null);
      assert.equal((await call(PLAIN_COMMENT, { id: a.comment['id'] }, bob)).data?.['comment'], null);
      for (const mutation of [UPDATE_TASK, DELETE_TASK]) {
        // The same answer as for an id that exists nowhere.
        const answer = await call(mutation, { id: a.task['id'], rev: 1 }, bob);
        const unknown = await call(mutation, { id: uuidv7(), rev: 1 }, bob);
        assert.deepEqual([code(answer), code(unknown)], ['NOT_FOUND', 'NOT_FOUND']);
        assert.ok(!JSON.stringify(answer).includes('Alpha secret'));
      }
      const plantedAnswer = await call(CREATE_TASK, { w: wsA, l: a.list['id'] }, bob);
      const planted = plantedAnswer.data?.['createTask'];
      assert.ok(planted, JSON.stringify(plantedAnswer));
      assert.deepEqual([planted.__typename, planted.code], ['RuleViolation', 'NOT_A_MEMBER']);
      assert.equal(code(await call('query($w: ID!) { members(workspaceId: $w) { email } }', { w: wsA }, bob)), 'FORBIDDEN');
      assert.equal(code(await call(CREATE_TOKEN, { w: wsA }, bob)), 'FORBIDDEN');
      assert.deepEqual(await snapshot(alice, wsA), before);
    });

    it('lets a viewer read and follow everything and change nothing (FORBIDDEN per row and per write)', async () => {
      const viewer = await join(alice, wsA, 'viewer');
      const pulled = await call(pullQuery(TASKS), { workspaceId: wsA, checkpoint: null, limit: 100 }, viewer);
      assert.ok(pulled.data?.['pullTasks'].documents.some((d: { id: string }) => d.id === a.task['id']));
      const stream = follow(viewer, TASKS, wsA);
      await waitFor(async () => (await env.server.feed.subscriberCount(wsA)) === 1, 'the viewer\'s stream');

      const before = await snapshot(alice, wsA);
      const fresh = newTask({ workspaceId: wsA, listId: a.list['id'] });
      const answer = await push(TASKS, wsA, [
        { newDocumentState: fresh },
        { assumedMasterState: a.task, newDocumentState: edited(a.task, { title: 'Viewer was here' }) },
      ], viewer);
      assert.deepEqual(answer.data?.['pushTasks'].rejections.map((r: { code: string }) => r.code), ['FORBIDDEN', 'FORBIDDEN']);
      const update = (await call(UPDATE_TASK, { id: a.task['id'], rev: 1 }, viewer)).data?.['updateTask'];
      assert.deepEqual([update.__typename, update.code], ['RuleViolation', 'FORBIDDEN']);
      assert.deepEqual(await snapshot(alice, wsA), before);

      const live = newTask({ workspaceId: wsA, listId: a.list['id'], title: 'Seen by the viewer' });
      await push(TASKS, wsA, [{ newDocumentState: live }], alice);
      await waitFor(() => stream.ids.has(String(live['id'])), 'the owner\'s change on the viewer\'s stream');
      await stream.client.dispose();
      await waitFor(async () => (await env.server.feed.subscriberCount(wsA)) === 0, 'the viewer\'s stream to end');
    });

    it('ends a removed member\'s live stream at once and refuses their next pull, push and query', async () => {
      const member = await join(alice, wsA, 'member');
      const stream = follow(member, TASKS, wsA);
      await waitFor(async () => (await env.server.feed.subscriberCount(wsA)) === 1, 'the member\'s stream');

      const removed = await call('mutation($w: ID!, $u: ID!) { removeMember(workspaceId: $w, userId: $u) }', { w: wsA, u: member.id }, alice);
      assert.equal(removed.data?.['removeMember'], true);
      await waitFor(() => stream.completed, 'the removed member\'s stream to end');
      await waitFor(async () => (await env.server.feed.subscriberCount(wsA)) === 0, 'the subscription to be gone on the server');

      const after = newTask({ workspaceId: wsA, listId: a.list['id'], title: 'After removal' });
      await push(TASKS, wsA, [{ newDocumentState: after }], alice);
      assert.ok(!stream.ids.has(String(after['id'])));
      assert.equal(code(await call(pullQuery(TASKS), { workspaceId: wsA, checkpoint: null, limit: 10 }, member)), 'FORBIDDEN');
      assert.equal(code(await push(TASKS, wsA, [{ newDocumentState: newTask({ workspaceId: wsA, listId: a.list['id'] }) }], member)), 'FORBIDDEN');
      assert.equal(code(await call(PLAIN_TASKS, { w: wsA }, member)), 'FORBIDDEN');
      // Still signed in: a new subscription on the same kind of connection is checked again and refused.
      const again = follow(member, TASKS, wsA);
      await waitFor(() => again.errors.length > 0, 'the refused resubscription');
      assert.equal((again.errors[0] as { extensions?: { code?: string } })?.extensions?.code, 'FORBIDDEN');
    });
  });

  describe(`WebSocket authentication on ${backend.name}`, () => {
    let env: TestServer;
    const clients: Client[] = [];
    before(async () => {
      env = await startTestServer(backend, { accessTokenTtlSeconds: 4 });
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await env?.dispose();
    });

    function connect(authorization: string | undefined) {
      const state: { closeCode?: number; errors: unknown[]; ids: Set<string> } = { errors: [], ids: new Set() };
      const client = createClient({
        url: `${env.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        // The close is what the test reads (on.closed); graphql-ws would print it by default.
        onNonLazyError: () => undefined,
        ...(authorization ? { connectionParams: { authorization } } : {}),
        on: { closed: (event) => (state.closeCode ??= (event as { code: number }).code) },
      });
      clients.push(client);
      return { client, state };
    }

    it('closes a connection without a valid sign-in token with the reconnect-with-a-fresh-token code', async () => {
      for (const authorization of [undefined, 'Bearer not-a-token']) {
        const { state } = connect(authorization);
        await waitFor(() => state.closeCode !== undefined, 'the socket to close');
        assert.equal(state.closeCode, WS_CLOSE_UNAUTHORIZED);
      }
    });

    it('closes a stream when its token expires, and a reconnect with a fresh token streams again', async () => {
      const user = await signUpUser(env.url);
      const { client, state } = connect(`Bearer ${user.accessToken}`);
      client.subscribe({ query: streamSubscription(TASKS), variables: { workspaceId: WORKSPACE } },
        { next: () => undefined, error: (e) => state.errors.push(e), complete: () => undefined });
      await waitFor(() => state.closeCode !== undefined, 'the socket to close at token expiry', 10_000);
      assert.equal(state.closeCode, WS_CLOSE_UNAUTHORIZED);

      const fresh = await gql(env.url, 'mutation($r: String!) { refresh(refreshToken: $r) { accessToken } }', { r: user.refreshToken });
      const renewed = connect(`Bearer ${fresh.data?.['refresh'].accessToken}`);
      renewed.client.subscribe<{ streamTasks: { documents: { id: string }[] } }>(
        { query: streamSubscription(TASKS), variables: { workspaceId: WORKSPACE } },
        { next: (r) => r.data?.streamTasks.documents.forEach((d) => renewed.state.ids.add(d.id)), error: (e) => renewed.state.errors.push(e), complete: () => undefined },
      );
      await waitFor(async () => (await env.server.feed.subscriberCount(WORKSPACE)) === 1, 'the renewed stream');
      const owner = await signUpUser(env.url);
      const task = newTask();
      await gql(env.url, pushMutation(TASKS), { workspaceId: WORKSPACE, rows: [{ newDocumentState: task }] }, owner.accessToken);
      await waitFor(() => renewed.state.ids.has(String(task['id'])), 'a change on the renewed stream');
      assert.deepEqual(renewed.state.errors, []);
    });
  });
}

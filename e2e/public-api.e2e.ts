/**
 * An integration writes through the public API (personal access token, plain mutations)
 * while the app is open: the app shows the change live, without a reload.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDevice, useServerAndBrowser, waitFor } from './harness';
import { createList, selectList, taskTitles, waitForPhase } from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';

const env = useServerAndBrowser();

/** One request as an integration sends it: plain fetch, bearer token. */
async function api<T = any>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await fetch(`${env.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

describe('the public API and the app', () => {
  it('shows tasks created and edited through the API live in an open app', async () => {
    const device = await openDevice(env.browser, env.server.url);
    await createList(device.page, 'Fed by the API');
    await selectList(device.page, 'Fed by the API');
    await waitForPhase(device.page, 'synced');

    const signUp = await api('mutation { signUp(email: "integration@example.org", password: "integration password") { accessToken } }', {});
    const { createAccessToken } = await api('mutation($w: ID!) { createAccessToken(workspaceId: $w, name: "e2e", readOnly: false) { token } }',
      { w: DEFAULT_WORKSPACE_ID }, signUp.signUp.accessToken);
    const token = createAccessToken.token as string;
    const { lists } = await api('query($w: ID!) { lists(workspaceId: $w, filter: { text: "Fed by the API" }) { nodes { id } } }', { w: DEFAULT_WORKSPACE_ID }, token);
    const listId = lists.nodes[0].id as string;

    const { createTask } = await api(`mutation($w: ID!, $l: ID!) { createTask(workspaceId: $w, input: { listId: $l, title: "Posted by the API" }, clientMutationId: "e2e-create") {
      __typename ... on Task { id revision } } }`, { w: DEFAULT_WORKSPACE_ID, l: listId }, token);
    assert.equal(createTask.__typename, 'Task');
    await device.page.getByTestId('task-title').filter({ hasText: 'Posted by the API' }).waitFor();

    const { updateTask } = await api(`mutation($id: ID!) { updateTask(id: $id, expectedRevision: 1, patch: { title: "Renamed by the API" }, clientMutationId: "e2e-update") {
      __typename ... on Task { revision } } }`, { id: createTask.id }, token);
    assert.deepEqual(updateTask, { __typename: 'Task', revision: 2 });
    await waitFor('the new title in the app', async () => (await taskTitles(device.page)).includes('Renamed by the API'));
    assert.ok(!(await taskTitles(device.page)).includes('Posted by the API'));
    await device.context.close();
  });
});

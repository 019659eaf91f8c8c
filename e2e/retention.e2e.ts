/**
 * Tombstone retention end to end: a device offline for longer than the server keeps
 * tombstones comes back with a checkpoint the server can no longer serve
 * (CHECKPOINT_EXPIRED). It pulls from scratch, loses the purged document, and still
 * pushes everything it did offline. The server runs with a retention of a fraction of
 * a second and a purge job every few hundred milliseconds, so "a long time offline"
 * takes a moment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { graphql, launchBrowser, observerToken, openDevice, startServer, waitFor, type RunningServer } from './harness';
import { createList, createTask, editTask, taskTitles, waitForPhase } from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import type { Browser } from 'playwright-core';

interface ServerTask { id: string; title: string; revision: number; deleted: boolean }

describe('a device offline past the tombstone retention', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await Promise.all([
      startServer({ env: { TOMBSTONE_RETENTION_DAYS: String(0.2 / 86_400), MAINTENANCE_INTERVAL_MINUTES: String(0.2 / 60) } }),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  async function serverTasks(): Promise<ServerTask[]> {
    const token = await observerToken(server.url);
    const data = await graphql<{ pullTasks: { documents: ServerTask[] } }>(server.url,
      'query($w: ID!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 1000) { documents { id title revision deleted } } }',
      { w: DEFAULT_WORKSPACE_ID }, token);
    return data.pullTasks.documents;
  }

  it('resyncs from scratch when its checkpoint expired, dropping the purged task and pushing its offline work', async () => {
    const a = await openDevice(browser, server.url);
    await createList(a.page, 'Depot');
    await createTask(a.page, 'Edited offline');
    await createTask(a.page, 'Deleted elsewhere');
    await waitForPhase(a.page, 'synced');

    await a.context.setOffline(true);
    await waitForPhase(a.page, 'offline');
    await editTask(a.page, 'Edited offline', { title: 'Edited offline, kept' });
    await createTask(a.page, 'Created offline');

    // Someone else deletes a task; the server purges its tombstone while A is away.
    const deleted = (await serverTasks()).find((t) => t.title === 'Deleted elsewhere')!;
    const token = await observerToken(server.url);
    const answer = await graphql<{ deleteTask: { __typename: string } }>(server.url,
      'mutation($id: ID!, $r: Int!) { deleteTask(id: $id, expectedRevision: $r) { __typename } }', { id: deleted.id, r: deleted.revision }, token);
    assert.equal(answer.deleteTask.__typename, 'Task');
    await waitFor('the tombstone to be purged', async () => !(await serverTasks()).some((t) => t.id === deleted.id));

    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced', 30_000);
    await waitFor('A without the purged task', async () => {
      const titles = await taskTitles(a.page);
      return !titles.includes('Deleted elsewhere') && titles.includes('Edited offline, kept') && titles.includes('Created offline');
    });

    const onServer = await serverTasks();
    assert.deepEqual(onServer.filter((t) => !t.deleted).map((t) => t.title).sort(), ['Created offline', 'Edited offline, kept']);
    assert.equal(onServer.find((t) => t.title === 'Edited offline, kept')?.revision, 2, 'the offline edit applied once, on the right base');
    assert.equal(await a.page.getByTestId('needs-attention').count(), 0);
    await a.context.close();
  });
});

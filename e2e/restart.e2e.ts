/**
 * The server goes away and comes back (same address, same data): the app says so,
 * keeps the work made meanwhile, and catches up with changes it missed (RESYNC after
 * the live stream reconnects).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { graphql, openDevice, startServer, useServerAndBrowser, waitFor } from './harness';
import { createList, createTask, taskTitles, waitForPhase } from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import { uuidv7 } from '../src/shared/uuid';

const env = useServerAndBrowser();

describe('server restart', () => {
  it('shows the outage, keeps work made during it, and catches up afterwards', async () => {
    const device = await openDevice(env.browser, env.server.url);
    const first = env.server;
    await createList(device.page, 'Restart list');
    await waitForPhase(device.page, 'synced');
    const listId = await device.page.evaluate(() => localStorage.getItem('fieldbook.selectedList'));

    await first.stop();
    await createTask(device.page, 'Written while the server was down');
    await waitForPhase(device.page, 'retrying');

    const port = Number(new URL(first.url).port);
    // Same address and data; the restarted server does not own the folder, so remove it at the end.
    const server = await startServer({ port, dataDir: first.dataDir });
    env.server = server;
    // Another client writes before the app's live stream has reconnected.
    const now = new Date().toISOString();
    await graphql(server.url, `mutation($w: ID!, $rows: [TaskPushRow!]!) { pushTasks(workspaceId: $w, rows: $rows) { conflicts { id } rejections { id } } }`, {
      w: DEFAULT_WORKSPACE_ID,
      rows: [{
        assumedMasterState: null,
        newDocumentState: {
          id: uuidv7(), workspaceId: DEFAULT_WORKSPACE_ID, revision: 1, updatedAt: now, updatedBy: null, listId,
          title: 'Written by another client', notes: '', status: 'todo', priority: 'none', dueAt: null, assigneeId: null,
          createdAt: now, deleted: false,
        },
      }],
    });

    await waitFor('both tasks on the device', async () => (await taskTitles(device.page)).length === 2, 30_000);
    assert.deepEqual(await taskTitles(device.page), ['Written while the server was down', 'Written by another client']);
    await waitForPhase(device.page, 'synced', 30_000);
    const pulled = await graphql<{ pullTasks: { documents: { title: string }[] } }>(server.url,
      `query($w: ID!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 100) { documents { title } } }`, { w: DEFAULT_WORKSPACE_ID });
    assert.deepEqual(pulled.pullTasks.documents.map((d) => d.title).sort(), ['Written by another client', 'Written while the server was down']);
    await device.context.close();
    await server.stop();
    await rm(first.dataDir, { recursive: true, force: true });
  });
});

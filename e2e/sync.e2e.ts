/**
 * Two browser contexts as two devices against the real server (PGlite), real RxDB on
 * Dexie/IndexedDB in Chromium, the built app with its service worker.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { graphql, openDevice, useServerAndBrowser, waitFor, waitForOfflineShell, type Device } from './harness';
import { createList, createTask, deleteTask, editTask, openSyncPage, readTask, selectList, taskTitles, waitForPhase, waitForRecordState } from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';

const env = useServerAndBrowser();

async function twoDevices(): Promise<[Device, Device]> {
  return Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
}

async function closeAll(...devices: Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.context.close()));
}

async function sameTitles(a: Page, b: Page): Promise<boolean> {
  const [ta, tb] = await Promise.all([taskTitles(a), taskTitles(b)]);
  return JSON.stringify(ta) === JSON.stringify(tb);
}

interface ServerTask { id: string; title: string; notes: string; priority: string; revision: number; deleted: boolean }

async function serverTasks(): Promise<ServerTask[]> {
  const tasks: ServerTask[] = [];
  let checkpoint: unknown = null;
  for (;;) {
    const data = await graphql<{ pullTasks: { documents: ServerTask[]; checkpoint: unknown } }>(env.server.url,
      `query($w: ID!, $c: CheckpointInput) { pullTasks(workspaceId: $w, checkpoint: $c, limit: 1000) {
        documents { id title notes priority revision deleted } checkpoint { seq id } } }`,
      { w: DEFAULT_WORKSPACE_ID, c: checkpoint });
    tasks.push(...data.pullTasks.documents);
    if (data.pullTasks.documents.length < 1000) return tasks;
    checkpoint = data.pullTasks.checkpoint;
  }
}

describe('two devices on one workspace', () => {
  it('shows a task created on A on B without a reload', async () => {
    const [a, b] = await twoDevices();
    await createList(a.page, 'Live list');
    await waitFor('the list on B', () => b.page.getByTestId('list-item').filter({ hasText: 'Live list' }).count());
    await selectList(b.page, 'Live list');
    await createTask(a.page, 'Check the generator');
    await b.page.getByTestId('task-title').filter({ hasText: 'Check the generator' }).waitFor();
    await waitForPhase(a.page, 'synced');
    await closeAll(a, b);
  });

  it('keeps offline work through an offline reload and syncs it exactly once online', async () => {
    const [a, b] = await twoDevices();
    await createList(a.page, 'Basement');
    await createTask(a.page, 'Existing task');
    await createTask(a.page, 'Task to delete offline');
    await waitForPhase(a.page, 'synced');
    await waitForOfflineShell(a.page);

    await a.context.setOffline(true);
    await waitForPhase(a.page, 'offline');
    await createTask(a.page, 'Created offline');
    await editTask(a.page, 'Existing task', { title: 'Existing task, edited offline', priority: 'high' });
    await deleteTask(a.page, 'Task to delete offline');

    await a.page.reload();
    await a.page.getByTestId('sync-indicator').waitFor();
    await waitForPhase(a.page, 'offline');
    await selectList(a.page, 'Basement');
    assert.deepEqual(await taskTitles(a.page), ['Existing task, edited offline', 'Created offline']);

    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced');
    await selectList(b.page, 'Basement');
    await waitFor('B to show exactly A\'s tasks', () => sameTitles(a.page, b.page));
    assert.deepEqual(await taskTitles(b.page), ['Existing task, edited offline', 'Created offline']);
    assert.equal((await readTask(b.page, 'Existing task, edited offline')).priority, 'high');
    const onServer = await serverTasks();
    assert.equal(onServer.filter((t) => t.title === 'Created offline' && !t.deleted).length, 1);
    assert.equal(onServer.find((t) => t.title === 'Task to delete offline')?.deleted, true);
    await closeAll(a, b);
  });

  it('converges when both devices edit the same task offline', async () => {
    const [a, b] = await twoDevices();
    await createList(a.page, 'Shared');
    await createTask(a.page, 'Inspect valve');
    await selectList(b.page, 'Shared');
    await b.page.getByTestId('task-title').filter({ hasText: 'Inspect valve' }).waitFor();

    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)]);
    await editTask(a.page, 'Inspect valve', { notes: 'Seal is worn', priority: 'high' });
    await editTask(b.page, 'Inspect valve', { status: 'doing', priority: 'low', dueAt: '2026-12-01' });

    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);
    await waitForPhase(b.page, 'synced');

    const converged = await waitFor('both devices to show the same task', async () => {
      const [ta, tb] = await Promise.all([readTask(a.page, 'Inspect valve'), readTask(b.page, 'Inspect valve')]);
      return JSON.stringify(ta) === JSON.stringify(tb) ? ta : undefined;
    });
    // Different fields merge; the same last-write-wins field goes to the write the server accepted last (B's).
    assert.deepEqual(converged, { title: 'Inspect valve', notes: 'Seal is worn', status: 'doing', priority: 'low', dueAt: '2026-12-01' });
    await closeAll(a, b);
  });

  it('keeps my title when the same title was changed elsewhere: needs review, with both versions on the Sync page', async () => {
    const [a, b] = await twoDevices();
    await createList(a.page, 'Titles');
    await createTask(a.page, 'Name me');
    await selectList(b.page, 'Titles');
    await b.page.getByTestId('task-title').filter({ hasText: 'Name me' }).waitFor();

    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)]);
    await editTask(a.page, 'Name me', { title: 'Named by A' });
    await editTask(b.page, 'Name me', { title: 'Named by B' });
    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);

    await waitFor('B to show the server title', () => b.page.getByTestId('task-title').filter({ hasText: 'Named by A' }).count());
    assert.equal(await waitForRecordState(b.page, 'Named by A', 'review'), 'Needs review');
    await openSyncPage(b.page);
    const review = b.page.getByTestId('outbox-review-field');
    await review.waitFor();
    assert.equal(await review.getByTestId('review-mine').textContent(), 'Named by B');
    assert.equal(await review.getByTestId('review-theirs').textContent(), 'Named by A');
    await closeAll(a, b);
  });

  it('turns three quick edits on one device into no conflict and the last edit on the server', async () => {
    const [a] = await Promise.all([openDevice(env.browser, env.server.url)]);
    let conflicts = 0;
    a.page.on('response', async (response) => {
      if (!response.url().endsWith('/graphql') || response.request().method() !== 'POST') return;
      const body = response.request().postData() ?? '';
      if (!body.includes('pushTasks')) return;
      const json = (await response.json().catch(() => ({}))) as { data?: { pushTasks?: { conflicts: unknown[] } } };
      conflicts += json.data?.pushTasks?.conflicts.length ?? 0;
    });
    await createList(a.page, 'Quick edits');
    await createTask(a.page, 'Edit me');
    await waitForPhase(a.page, 'synced');
    await editTask(a.page, 'Edit me', { notes: 'first' });
    await editTask(a.page, 'Edit me', { notes: 'second' });
    await editTask(a.page, 'Edit me', { notes: 'third', title: 'Edited thrice' });
    await waitFor('the last edit on the server', async () => (await serverTasks()).find((t) => t.title === 'Edited thrice' && t.notes === 'third'));
    await waitForPhase(a.page, 'synced');
    assert.equal(conflicts, 0);
    // One revision per local edit (created at 1, three edits), none added by conflict handling.
    assert.equal((await serverTasks()).find((t) => t.title === 'Edited thrice')?.revision, 4);
    assert.equal((await readTask(a.page, 'Edited thrice')).notes, 'third');
    await closeAll(a);
  });
});

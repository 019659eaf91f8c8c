/**
 * The sync queue made visible (per-record states, header summary, Sync page, retries,
 * progress), in Chromium against the real server behind a loopback fault proxy.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { graphql, newUser, openDevice, signInOnPage, useServerAndBrowser, waitFor, type Device } from './harness';
import { FaultProxy, isGraphQL, isPull, isPush } from './fault-proxy';
import {
  createList, createTask, deleteTask, editTask, openSyncPage, outboxRows, recordState, selectList, syncLabel, taskTitles,
  waitForPhase, waitForRecordState,
} from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import { uuidv7 } from '../src/shared/uuid';

const env = useServerAndBrowser();
let proxy: FaultProxy;
let url: string;

beforeEach(async () => {
  await proxy?.stop();
  proxy = new FaultProxy(env.server.url);
  url = await proxy.start();
});

after(() => proxy?.stop());

async function device(): Promise<Device> {
  return openDevice(env.browser, url);
}

async function serverTitles(): Promise<string[]> {
  const data = await graphql<{ pullTasks: { documents: { title: string; deleted: boolean }[] } }>(env.server.url,
    `query($w: ID!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 1000) { documents { title deleted } } }`, { w: DEFAULT_WORKSPACE_ID });
  return data.pullTasks.documents.filter((d) => !d.deleted).map((d) => d.title);
}

describe('per-record sync states', () => {
  it('shows a task created offline as saved offline, then syncing while the push is out, then synced', async () => {
    const { context, page } = await device();
    await createList(page, 'States');
    await waitForPhase(page, 'synced');

    await context.setOffline(true);
    await createTask(page, 'Made in the basement');
    assert.equal(await waitForRecordState(page, 'Made in the basement', 'pending'), 'Saved offline');
    await waitFor('header to count the change', async () => (await syncLabel(page)) === 'Offline — 1 change saved on this device');

    proxy.hold(isPush);
    await context.setOffline(false);
    await waitForRecordState(page, 'Made in the basement', 'syncing');
    assert.equal(await syncLabel(page), 'Syncing 1 change…');

    proxy.release();
    assert.match(await waitForRecordState(page, 'Made in the basement', 'synced'), /^Synced · r1$/);
    await waitForPhase(page, 'synced');
    assert.ok((await serverTitles()).includes('Made in the basement'));
    await context.close();
  });

  it('shows retrying with a rising attempt count while the server answers 503, then recovers', async () => {
    const { context, page } = await device();
    await createList(page, 'Overload');
    await waitForPhase(page, 'synced');

    proxy.failWith(503, isGraphQL, '1');
    await createTask(page, 'Sent during the outage');
    await waitForRecordState(page, 'Sent during the outage', 'retrying');
    await waitFor('a second attempt', async () => /attempt [2-9]/.test((await recordState(page, 'Sent during the outage')).label));
    await waitForPhase(page, 'retrying');
    assert.match(await syncLabel(page), /^Retrying \(attempt \d+, (next try in \d+ s|trying now)\) — server busy \(503\)$/);

    proxy.pass();
    await waitForRecordState(page, 'Sent during the outage', 'synced');
    await waitForPhase(page, 'synced');
    assert.ok((await serverTitles()).includes('Sent during the outage'));
    await context.close();
  });

  it('keeps the queue, its attempts and errors across a reload in the middle of a retry', async () => {
    const { context, page } = await device();
    await createList(page, 'Reload');
    await waitForPhase(page, 'synced');

    proxy.failWith(503, isPush, '1');
    await createTask(page, 'Survives the reload');
    await waitFor('two failed attempts', async () => /attempt [2-9]/.test((await recordState(page, 'Survives the reload')).label));

    await page.reload();
    await selectList(page, 'Reload');
    const afterReload = await recordState(page, 'Survives the reload');
    assert.ok(['pending', 'syncing', 'retrying'].includes(afterReload.state ?? ''), `state after reload: ${afterReload.state}`);
    await openSyncPage(page);
    await waitFor('the outbox row to show the attempts so far and the error', async () => {
      const [row] = await outboxRows(page);
      return row && row.attempts >= 2 && row.error === 'server busy (503)' && row.operation === 'create';
    });

    proxy.pass();
    await waitFor('the outbox to empty', async () => (await outboxRows(page)).length === 0);
    assert.equal((await serverTitles()).filter((t) => t === 'Survives the reload').length, 1);
    await context.close();
  });
});

describe('several tabs', () => {
  it('shows the same states in every tab while only one tab pushes', async () => {
    const context = await env.browser.newContext();
    const pushesBy = new Map<Page, number>();
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      page.on('request', (request) => {
        if (request.method() === 'POST' && /mutation\s+Push/.test(request.postData() ?? '')) pushesBy.set(page, (pushesBy.get(page) ?? 0) + 1);
      });
      await page.goto(url);
      // The first tab signs in; the second opens signed in (the session is the browser's).
      if (i === 0) await signInOnPage(page, newUser(), 'sign-up');
      await page.getByTestId('sync-indicator').waitFor();
      pages.push(page);
    }
    const [first, second] = pages as [Page, Page];
    await createList(second, 'Two tabs');
    await selectList(first, 'Two tabs');
    await waitForPhase(first, 'synced');

    await context.setOffline(true);
    await createTask(second, 'From the second tab');
    await first.getByTestId('task-title').filter({ hasText: 'From the second tab' }).waitFor();
    await waitForRecordState(first, 'From the second tab', 'pending');
    await waitForRecordState(second, 'From the second tab', 'pending');

    proxy.hold(isPush);
    await context.setOffline(false);
    await Promise.all([waitForRecordState(first, 'From the second tab', 'syncing'), waitForRecordState(second, 'From the second tab', 'syncing')]);
    proxy.release();
    await Promise.all([waitForRecordState(first, 'From the second tab', 'synced'), waitForRecordState(second, 'From the second tab', 'synced')]);

    const counts = pages.map((p) => pushesBy.get(p) ?? 0);
    assert.equal(counts.filter((n) => n > 0).length, 1, `pushes per tab: ${counts.join(', ')}`);
    await context.close();
  });
});

describe('the Sync page', () => {
  it('lists each pending change with its operation, attempts and error, exports them, and empties once synced', async () => {
    const { context, page } = await device();
    await createList(page, 'Outbox');
    await createTask(page, 'Will be edited');
    await createTask(page, 'Will be deleted');
    await waitForPhase(page, 'synced');

    await context.setOffline(true);
    await createTask(page, 'Brand new');
    await editTask(page, 'Will be edited', { title: 'Was edited' });
    await deleteTask(page, 'Will be deleted');

    await openSyncPage(page);
    const rows = await outboxRows(page);
    assert.deepEqual(
      rows.map((r) => [r.label, r.operation, r.state, r.attempts]).sort(),
      [['Brand new', 'create', 'pending', 0], ['Was edited', 'update', 'pending', 0], ['Will be deleted', 'delete', 'pending', 0]],
    );

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pending').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { records: { label: string; operation: string; localVersion: { title: string } | null }[] };
    assert.deepEqual(
      exported.records.map((r) => [r.label, r.operation, r.localVersion?.title]).sort(),
      [['Brand new', 'create', 'Brand new'], ['Was edited', 'update', 'Was edited'], ['Will be deleted', 'delete', 'Will be deleted']],
    );

    proxy.failWith(503, isPush, '1');
    await context.setOffline(false);
    // RxDB sends the change made first; the others wait behind it and stay untried.
    await waitFor('the first change to show its failed attempts and the error', async () => {
      const current = await outboxRows(page);
      const tried = current.find((r) => r.label === 'Brand new');
      return current.length === 3 && tried && tried.state === 'retrying' && tried.attempts >= 2 && tried.error === 'server busy (503)';
    });

    proxy.pass();
    await waitFor('the outbox to empty', async () => (await outboxRows(page)).length === 0);
    assert.match((await page.getByTestId('outbox-summary').textContent()) ?? '', /Everything on this device is on the server/);
    const titles = await serverTitles();
    assert.ok(titles.includes('Brand new') && titles.includes('Was edited') && !titles.includes('Will be deleted'));
    await context.close();
  });
});

describe('large pulls', () => {
  it('shows a progress bar with documents received and the estimated total', async () => {
    const listId = uuidv7();
    const now = new Date().toISOString();
    const base = { workspaceId: DEFAULT_WORKSPACE_ID, revision: 1, updatedAt: now, updatedBy: null, createdAt: now, deleted: false };
    await graphql(env.server.url, `mutation($w: ID!, $rows: [ListPushRow!]!) { pushLists(workspaceId: $w, rows: $rows) { conflicts { id } } }`, {
      w: DEFAULT_WORKSPACE_ID, rows: [{ assumedMasterState: null, newDocumentState: { ...base, id: listId, name: 'Big import', archived: false } }],
    });
    for (let batch = 0; batch < 3; batch++) {
      const rows = Array.from({ length: 500 }, (_, i) => ({
        assumedMasterState: null,
        newDocumentState: { ...base, id: uuidv7(), listId, title: `Imported ${batch * 500 + i}`, notes: '', status: 'todo', priority: 'none', dueAt: null, assigneeId: null },
      }));
      await graphql(env.server.url, `mutation($w: ID!, $rows: [TaskPushRow!]!) { pushTasks(workspaceId: $w, rows: $rows) { conflicts { id } } }`, { w: DEFAULT_WORKSPACE_ID, rows });
    }

    proxy.hold(isPull);
    const { context, page } = await device();
    await waitFor('the first pulls to reach the proxy', () => proxy.heldCount() >= 1);
    proxy.release();
    const progress = page.getByTestId('pull-progress');
    await progress.waitFor();
    const text = (await progress.textContent()) ?? '';
    const match = /Receiving ([\d,]+) of ~([\d,]+)/.exec(text);
    assert.ok(match, `progress text: ${text}`);
    const total = Number(match[2]!.replace(/,/g, ''));
    assert.ok(total >= 1500, `estimated total ${total}`);

    proxy.pass();
    await progress.waitFor({ state: 'detached', timeout: 30_000 });
    await selectList(page, 'Big import');
    await waitFor('all imported tasks', async () => (await page.getByTestId('task-count').textContent())?.includes('1500 total'));
    assert.ok((await taskTitles(page)).length > 0);
    await context.close();
  });
});

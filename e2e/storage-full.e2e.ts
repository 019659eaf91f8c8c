/**
 * IndexedDB out of space, in Chromium: the DevTools protocol shrinks the origin's quota
 * (`Storage.overrideQuotaForOrigin`), so the app's real writes fail the way they fail on a
 * full device. The person sees why their change was not saved, keeps what they typed and
 * everything saved before; once space returns their next write succeeds and everything
 * syncs, including what another device wrote meanwhile.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openDevice, useServerAndBrowser, waitFor } from './harness';
import { createList, createTask, openTask, selectList, taskTitles, waitForPhase } from './app-driver';
import { serverTasks } from './server-truth';
import { STORAGE_FULL_MESSAGE } from '../src/app/data/storage-full';

const env = useServerAndBrowser();

/**
 * One small write to a database of the test's own in the page's origin: its outcome tells
 * whether IndexedDB refuses writes yet. (A string, so the test compiler's helpers do not
 * leak into the page.)
 */
const PROBE_WRITE = `new Promise((resolve) => {
  const open = indexedDB.open('e2e-quota-probe', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('probe');
  open.onerror = () => resolve(open.error ? open.error.name : 'open failed');
  open.onsuccess = () => {
    const tx = open.result.transaction('probe', 'readwrite');
    tx.objectStore('probe').put(Date.now(), 'last');
    tx.oncomplete = () => { open.result.close(); resolve('stored'); };
    tx.onabort = () => { open.result.close(); resolve(tx.error ? tx.error.name : 'aborted'); };
  };
})`;

async function fillStorage(page: Page): Promise<(lift?: boolean) => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
  // Chromium lets an open IndexedDB spend the free space it last heard of, decaying over
  // 30 s, before it asks the quota again: wait until writes really fail.
  await waitFor('IndexedDB to refuse writes', async () => (await page.evaluate(PROBE_WRITE)) === 'QuotaExceededError', 45_000);
  return async () => {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  };
}

describe('the device out of storage', () => {
  it('says a change was not saved, keeps the typed text and everything saved, and syncs all of it once space returns', async () => {
    const [a, b] = await Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
    await createList(a.page, 'Full disk');
    await createTask(a.page, 'Saved before the disk filled');
    await waitForPhase(a.page, 'synced');
    await selectList(b.page, 'Full disk');
    await b.page.getByTestId('task-title').filter({ hasText: 'Saved before the disk filled' }).waitFor();

    const liftQuota = await fillStorage(a.page);

    await a.page.getByTestId('new-task-input').fill('Typed while the disk was full');
    await a.page.getByTestId('new-task-submit').click();
    await a.page.getByRole('alert').filter({ hasText: STORAGE_FULL_MESSAGE }).waitFor();
    await a.page.getByTestId('storage-full').waitFor();
    assert.equal(await a.page.getByTestId('new-task-input').inputValue(), 'Typed while the disk was full');
    assert.deepEqual(await taskTitles(a.page), ['Saved before the disk filled']);

    // An edit refused for space keeps the editor open with the person's text in it.
    await openTask(a.page, 'Saved before the disk filled');
    await a.page.getByTestId('edit-notes').fill('Notes typed while full');
    await a.page.getByTestId('edit-save').click();
    await a.page.getByTestId('task-editor').getByRole('alert').filter({ hasText: STORAGE_FULL_MESSAGE }).waitFor();
    assert.equal(await a.page.getByTestId('edit-notes').inputValue(), 'Notes typed while full');

    // Meanwhile another device adds a task: this device cannot store it yet.
    await createTask(b.page, 'Added elsewhere while the disk was full');
    await waitFor('the other device\'s task on the server', async () =>
      (await serverTasks(env.server.url)).some((t) => t.title === 'Added elsewhere while the disk was full'));

    await liftQuota();
    // The person presses Save again: it goes through, and the app stops saying storage is full.
    await a.page.getByTestId('edit-save').click();
    await a.page.getByTestId('task-editor').waitFor({ state: 'detached' });
    await a.page.getByTestId('storage-full').waitFor({ state: 'detached' });
    await a.page.getByTestId('new-task-submit').click();
    await a.page.getByTestId('task-title').filter({ hasText: 'Typed while the disk was full' }).waitFor();
    assert.equal(await a.page.getByTestId('new-task-input').inputValue(), '');

    // What the device could not store while full arrives now, without a reload.
    await a.page.getByTestId('task-title').filter({ hasText: 'Added elsewhere while the disk was full' }).waitFor({ timeout: 30_000 });
    await waitForPhase(a.page, 'synced');
    const expected = ['Saved before the disk filled', 'Added elsewhere while the disk was full', 'Typed while the disk was full'];
    await waitFor('the other device to show every task', async () => JSON.stringify(await taskTitles(b.page)) === JSON.stringify(expected));
    const onServer = (await serverTasks(env.server.url)).filter((t) => expected.includes(t.title));
    assert.deepEqual(onServer.map((t) => t.title).sort(), [...expected].sort());
    assert.equal(onServer.find((t) => t.title === 'Saved before the disk filled')?.notes, 'Notes typed while full');

    await a.page.reload();
    await selectList(a.page, 'Full disk');
    await waitFor('every task after a reload', async () => JSON.stringify(await taskTitles(a.page)) === JSON.stringify(expected));
    await Promise.all([a.context.close(), b.context.close()]);
  });
});

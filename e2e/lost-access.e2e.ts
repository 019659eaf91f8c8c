/**
 * Losing access end to end: a member with edits saved offline in a workspace is
 * removed by its owner and comes back online. The device drops the workspace's
 * documents (also after a reload, down to IndexedDB), keeps the unsynced edits as
 * recovered work (listed, exportable, discardable), pushes nothing, and leaves for
 * another workspace with a message. Invited again (a join code), the person syncs the workspace back
 * from scratch and no stale edit or tombstone reaches the server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import { graphql, openDevice, useServerAndBrowser, waitFor, type DeviceUser } from './harness';
import {
  archiveList, createList, createTask, deleteTask, editTask, inboxCount, listNames, openSyncPage, selectList, taskTitles, waitForPhase,
} from './app-driver';

const env = useServerAndBrowser();

async function openWorkspaces(page: Page): Promise<void> {
  await page.getByTestId('workspace-link').click();
  await page.getByTestId('workspace-list').waitFor();
  await page.getByTestId('workspace-item').first().waitFor();
}

/** The owner's join code for a member of the active workspace. */
async function memberCode(page: Page): Promise<string> {
  await openWorkspaces(page);
  await page.getByTestId('code-role').selectOption('member');
  const shown = page.getByTestId('join-code');
  const previous = (await shown.count()) > 0 ? await shown.textContent() : null;
  await page.getByTestId('make-code').click();
  const code: string = await waitFor<string>('a new join code', async () => {
    const text = (await shown.textContent({ timeout: 1_000 }))?.trim();
    return text && text !== previous?.trim() ? text : '';
  });
  assert.ok(code.length > 10);
  return code;
}

/** Joins with a code; the app restarts on the joined workspace. */
async function joinWithCode(page: Page, code: string, name: string): Promise<void> {
  await openWorkspaces(page);
  await page.getByTestId('join-code-input').fill(code);
  await page.getByTestId('join-submit').click();
  await page.getByTestId('workspace-link').filter({ hasText: name }).waitFor();
  await page.getByTestId('lists').waitFor();
}

async function accessToken(user: DeviceUser): Promise<string> {
  const { signIn } = await graphql<{ signIn: { accessToken: string } }>(env.server.url,
    'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }', { e: user.email, p: user.password });
  return signIn.accessToken;
}

/** The workspace's tasks as the server has them, read by its owner. */
async function serverTasks(token: string, workspaceId: string): Promise<{ id: string; title: string; revision: number; deleted: boolean }[]> {
  const { pullTasks } = await graphql<{ pullTasks: { documents: { id: string; title: string; revision: number; deleted: boolean }[] } }>(env.server.url,
    'query($w: ID!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 1000) { documents { id title revision deleted } } }', { w: workspaceId }, token);
  return pullTasks.documents.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Documents of `workspaceId` in the device's IndexedDB, counted straight from the
 * object stores of RxDB's replicated collections (tombstones included). A string, so
 * the test compiler's helpers do not leak into the page.
 */
async function storedDocuments(page: Page, workspaceId: string): Promise<number> {
  return page.evaluate(`(async () => {
    const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    let count = 0;
    for (const { name } of await indexedDB.databases()) {
      if (!/--(lists|tasks|comments)$/.test(name)) continue;
      const db = await request(indexedDB.open(name));
      for (const store of Array.from(db.objectStoreNames)) {
        const docs = await request(db.transaction(store).objectStore(store).getAll());
        count += docs.filter((d) => d && d.workspaceId === ${JSON.stringify(workspaceId)}).length;
      }
      db.close();
    }
    return count;
  })()`);
}

async function recoveredRows(page: Page): Promise<{ label: string; operation: string; state: string }[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('[data-testid="recovered-row"]')).map((row) => ({
    label: (row.querySelector('[data-testid="recovered-label"]')?.textContent ?? '').trim(),
    operation: (row.querySelector('[data-testid="recovered-operation"]')?.textContent ?? '').trim(),
    state: (row.querySelector('[data-testid="recovered-state"]')?.textContent ?? '').trim(),
  }))`);
}

/** Ana's new workspace `name` with one list and its tasks; Ben joins it with a member code. */
async function sharedWorkspace(ana: Page, ben: Page, name: string, listName: string, tasks: string[]): Promise<void> {
  await openWorkspaces(ana);
  await ana.getByTestId('new-workspace-input').fill(name);
  await ana.getByTestId('new-workspace-submit').click();
  await ana.getByTestId('workspace-link').filter({ hasText: name }).waitFor();
  await ana.getByTestId('lists').waitFor();
  await createList(ana, listName);
  for (const title of tasks) await createTask(ana, title);
  await waitForPhase(ana, 'synced');
  await joinWithCode(ben, await memberCode(ana), name);
  await waitFor(`${name} on Ben's device`, async () => (await listNames(ben)).join() === listName);
  await selectList(ben, listName);
  await waitFor(`${name}'s tasks on Ben's device`, async () => (await taskTitles(ben)).sort().join() === [...tasks].sort().join());
  await waitForPhase(ben, 'synced');
}

describe('lost access', () => {
  it('a removed member\'s offline edits become recovered work, the workspace leaves the device, nothing is pushed, a re-invite syncs it back clean', async () => {
    const [ana, ben] = await Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
    await createList(ben.page, 'Ben at home');
    await waitForPhase(ben.page, 'synced');

    // Ana's workspace Crew B, with a list and two tasks; Ben joins as a member.
    await sharedWorkspace(ana.page, ben.page, 'Crew B', 'Pumps', ['Pump', 'Valve']);
    const anaToken = await accessToken(ana.user);
    const { myWorkspaces } = await graphql<{ myWorkspaces: { id: string; name: string }[] }>(env.server.url, '{ myWorkspaces { id name } }', {}, anaToken);
    const crewB = myWorkspaces.find((w) => w.name === 'Crew B')!.id;
    const before = await serverTasks(anaToken, crewB);
    assert.deepEqual(before.map((t) => t.title).sort(), ['Pump', 'Valve']);
    assert.equal(await storedDocuments(ben.page, crewB), 3, 'the scan sees the workspace\'s documents');

    // Offline, Ben edits one task, adds one and deletes one; meanwhile Ana removes him.
    await ben.context.setOffline(true);
    await waitForPhase(ben.page, 'offline');
    await editTask(ben.page, 'Pump', { title: 'Pump, checked' });
    await createTask(ben.page, 'Ben new');
    await deleteTask(ben.page, 'Valve');
    await waitFor('three changes saved offline', async () => (await ben.page.getByTestId('sync-indicator').getAttribute('data-pending')) === '3');
    await ana.page.reload();
    const benRow = ana.page.getByTestId('member-row').filter({ hasText: ben.user.email });
    await benRow.getByTestId('remove-member').click();
    await benRow.waitFor({ state: 'detached' });

    // Back online: the app finds out, keeps his work, drops Crew B and leaves it.
    await ben.context.setOffline(false);
    const message = ben.page.getByTestId('lost-access-message');
    await message.waitFor({ timeout: 30_000 });
    assert.equal((await message.textContent())?.trim(), 'You were removed from Crew B. Your 3 unsynced changes are kept under Recovered work.');
    await ben.page.getByTestId('lists').waitFor();
    await waitFor('Ben\'s own workspace', async () => (await listNames(ben.page)).join() === 'Ben at home');
    assert.doesNotMatch((await ben.page.getByTestId('workspace-link').textContent()) ?? '', /Crew B/);
    assert.equal(await storedDocuments(ben.page, crewB), 0, 'no document or tombstone of Crew B is left on the device');
    assert.equal(await storedDocuments(ben.page, DEFAULT_WORKSPACE_ID), 1, 'his own workspace\'s list stays');
    await openWorkspaces(ben.page);
    assert.equal(await ben.page.getByTestId('workspace-item').filter({ hasText: 'Crew B' }).count(), 0);

    // Still so after a reload; the work is listed as recovered, with the reason, and exports as JSON.
    await ben.page.goto(env.server.url);
    await ben.page.getByTestId('lists').waitFor();
    assert.equal(await storedDocuments(ben.page, crewB), 0);
    await ben.page.getByTestId('recovered-link').click();
    await ben.page.getByTestId('recovered-section').waitFor();
    assert.equal((await ben.page.getByTestId('recovered-workspace').textContent())?.trim(), 'Crew B');
    assert.equal((await ben.page.getByTestId('recovered-reason').textContent())?.trim(), 'You are no longer a member of this workspace.');
    assert.deepEqual((await recoveredRows(ben.page)).map(({ label, operation }) => ({ label, operation })).sort((a, b) => a.label.localeCompare(b.label)), [
      { label: 'Ben new', operation: 'create' }, { label: 'Pump, checked', operation: 'update' }, { label: 'Valve', operation: 'delete' },
    ]);
    assert.match((await ben.page.getByTestId('outbox-summary').textContent()) ?? '', /Everything on this device is on the server/);
    const [download] = await Promise.all([ben.page.waitForEvent('download'), ben.page.getByTestId('export-recovered').click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as { records: { workspaceName: string; reason: string; operation: string; localVersion: { title: string; deleted: boolean } }[] };
    assert.deepEqual(exported.records.map((r) => [r.workspaceName, r.reason, r.operation, r.localVersion.title, r.localVersion.deleted]).sort(), [
      ['Crew B', 'NOT_A_MEMBER', 'create', 'Ben new', false],
      ['Crew B', 'NOT_A_MEMBER', 'delete', 'Valve', true],
      ['Crew B', 'NOT_A_MEMBER', 'update', 'Pump, checked', false],
    ]);
    assert.deepEqual(await serverTasks(anaToken, crewB), before, 'nothing of Ben\'s reached the server');

    // Re-invited, Ben syncs Crew B back from scratch: the server's versions, nothing pushed.
    await joinWithCode(ben.page, await memberCode(ana.page), 'Crew B');
    await waitFor('Crew B back on Ben\'s device', async () => (await listNames(ben.page)).join() === 'Pumps');
    await selectList(ben.page, 'Pumps');
    await waitFor('the server\'s tasks', async () => (await taskTitles(ben.page)).sort().join() === 'Pump,Valve');
    await waitForPhase(ben.page, 'synced');
    assert.equal(await ben.page.getByTestId('needs-attention').count(), 0);
    assert.equal(await storedDocuments(ben.page, crewB), 3);
    await openSyncPage(ben.page);
    assert.match((await ben.page.getByTestId('outbox-summary').textContent()) ?? '', /Everything on this device is on the server/);
    assert.deepEqual(await serverTasks(anaToken, crewB), before, 'no stale edit or tombstone was pushed');

    // The recovered work stays until Ben discards it (the dialog is confirmed by the harness).
    assert.equal((await recoveredRows(ben.page)).length, 3);
    await ben.page.getByTestId('discard-recovered').click();
    await ben.page.getByTestId('recovered-section').waitFor({ state: 'detached' });
    await Promise.all([ana.context.close(), ben.context.close()]);
  });

  it('removed from a workspace the device is not in, the person\'s refused change there is recovered and its documents leave', async () => {
    const [ana, ben] = await Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
    await sharedWorkspace(ana.page, ben.page, 'Crew D', 'Yard', ['Gate']);
    const anaToken = await accessToken(ana.user);
    const { myWorkspaces } = await graphql<{ myWorkspaces: { id: string; name: string }[] }>(env.server.url, '{ myWorkspaces { id name } }', {}, anaToken);
    const crewD = myWorkspaces.find((w) => w.name === 'Crew D')!.id;

    // Ben's offline edit is refused once Ana has archived the list: it waits for him in the inbox.
    await ben.context.setOffline(true);
    await editTask(ben.page, 'Gate', { notes: 'Hinge loose' });
    await ana.page.goto(env.server.url);
    await ana.page.getByTestId('lists').waitFor();
    await archiveList(ana.page, 'Yard');
    await waitForPhase(ana.page, 'synced');
    await ben.context.setOffline(false);
    await waitFor('the refused edit in the header count', async () => (await inboxCount(ben.page)) === 1);
    const before = await serverTasks(anaToken, crewD);

    // Ben goes back to his own workspace; Ana removes him from Crew D meanwhile.
    await openWorkspaces(ben.page);
    await ben.page.getByTestId('workspace-item').filter({ hasNotText: 'Crew D' }).getByTestId('switch-workspace').click();
    await ben.page.getByTestId('lists').waitFor();
    await waitForPhase(ben.page, 'synced');
    assert.ok((await storedDocuments(ben.page, crewD)) > 0);
    await openWorkspaces(ana.page);
    await ana.page.reload();
    const benRow = ana.page.getByTestId('member-row').filter({ hasText: ben.user.email });
    await benRow.getByTestId('remove-member').click();
    await benRow.waitFor({ state: 'detached' });

    // The next time Ben's workspaces are fetched, Crew D is gone: so are its documents, not his refused edit.
    await openWorkspaces(ben.page);
    const message = ben.page.getByTestId('lost-access-message');
    await message.waitFor();
    assert.equal((await message.textContent())?.trim(), 'You were removed from Crew D. Your 1 unsynced change is kept under Recovered work.');
    assert.equal(await ben.page.getByTestId('workspace-item').filter({ hasText: 'Crew D' }).count(), 0);
    await waitFor('Crew D off the device', async () => (await storedDocuments(ben.page, crewD)) === 0);
    await ben.page.getByTestId('recovered-link').click();
    await ben.page.getByTestId('recovered-section').waitFor();
    assert.equal((await ben.page.getByTestId('recovered-workspace').textContent())?.trim(), 'Crew D');
    assert.deepEqual(await recoveredRows(ben.page), [{ label: 'Gate', operation: 'update', state: 'rejected' }]);
    assert.equal(await inboxCount(ben.page), 0, 'the refusal left the inbox for recovered work');
    assert.deepEqual(await serverTasks(anaToken, crewD), before);
    await Promise.all([ana.context.close(), ben.context.close()]);
  });
});

/**
 * Issue 5 with two people in two browser contexts against the real server: merges by
 * product policy, the review inbox, deleted-elsewhere recovery, stale state after a
 * long time offline, and writes refused by the server's rules (archived list).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDevice, setRole, useServerAndBrowser, waitFor, type Device } from './harness';
import {
  addComment, archiveList, backToTasks, createList, createTask, editTask, inboxCount, inboxItem, openInbox, openTask, readTask,
  selectList, taskTitles, waitForPhase, waitForRecordState,
} from './app-driver';

const env = useServerAndBrowser();

async function twoDevices(): Promise<[Device, Device]> {
  return Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
}

async function closeAll(...devices: Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.context.close()));
}

/** A list with one task, visible on both devices. */
async function sharedTask(a: Device, b: Device, list: string, title: string): Promise<void> {
  await createList(a.page, list);
  await createTask(a.page, title);
  await waitForPhase(a.page, 'synced');
  await waitFor(`the list on B`, () => b.page.getByTestId('list-item').filter({ hasText: list }).count());
  await selectList(b.page, list);
  await b.page.getByTestId('task-title').filter({ hasText: title }).waitFor();
}

async function converged(a: Device, b: Device, title: string): Promise<Record<string, string>> {
  return waitFor(`both devices to show the same "${title}"`, async () => {
    const [ta, tb] = await Promise.all([readTask(a.page, title), readTask(b.page, title)]);
    return JSON.stringify(ta) === JSON.stringify(tb) ? { ...ta } : undefined;
  }) as Promise<Record<string, string>>;
}

describe('conflicts and server rules (issue 5)', () => {
  it('1. merges edits of different fields without a prompt; comments sync; history shows who changed what', async () => {
    const [a, b] = await twoDevices();
    await sharedTask(a, b, 'Merge list', 'Check pump');
    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)]);
    await editTask(a.page, 'Check pump', { notes: 'Seal is worn' });
    await editTask(b.page, 'Check pump', { status: 'doing', dueAt: '2026-12-01' });
    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);
    await waitForPhase(b.page, 'synced');

    assert.deepEqual(await converged(a, b, 'Check pump'),
      { title: 'Check pump', notes: 'Seal is worn', status: 'doing', priority: 'none', dueAt: '2026-12-01' });
    assert.equal(await inboxCount(a.page), 0);
    assert.equal(await inboxCount(b.page), 0);

    await addComment(a.page, 'Check pump', 'Ordered a new seal');
    await openTask(b.page, 'Check pump');
    await b.page.getByTestId('comment').filter({ hasText: 'Ordered a new seal' }).waitFor();
    await b.page.getByTestId('history-load').click();
    await waitFor('three revisions in the history', async () => (await b.page.getByTestId('history-entry').count()) === 3);
    const changes = await b.page.getByTestId('history-change').allTextContents();
    assert.ok(changes.some((c) => c.includes('notes') && c.includes('Seal is worn')), changes.join('|'));
    assert.ok(changes.some((c) => c.includes('status: todo → doing')), changes.join('|'));
    await closeAll(a, b);
  });

  it('2. sends the same title changed on both sides to review; resolving with a merged value converges both', async () => {
    const [a, b] = await twoDevices();
    await sharedTask(a, b, 'Review list', 'Name me');
    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)]);
    await editTask(a.page, 'Name me', { title: 'Named by A' });
    await editTask(b.page, 'Name me', { title: 'Named by B', priority: 'high' });
    await a.context.setOffline(false);
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);

    await waitFor('B to show the server title', () => b.page.getByTestId('task-title').filter({ hasText: 'Named by A' }).count());
    assert.equal(await waitForRecordState(b.page, 'Named by A', 'review'), 'Needs review');
    await waitFor('the header count', async () => (await inboxCount(b.page)) === 1);
    assert.equal((await readTask(b.page, 'Named by A')).priority, 'high', 'the other field merged without waiting');

    await openInbox(b.page);
    const item = inboxItem(b.page, 'Named by');
    const field = item.getByTestId('inbox-field').filter({ has: b.page.locator('th', { hasText: 'title' }) });
    assert.equal(await field.getByTestId('inbox-base').textContent(), 'Name me');
    assert.equal(await field.getByTestId('inbox-mine').textContent(), 'Named by B');
    assert.equal(await field.getByTestId('inbox-theirs').textContent(), 'Named by A');
    await field.getByTestId('pick-edit').check();
    await field.getByTestId('merged-value').fill('Named by A and B');
    await item.getByTestId('inbox-resolve').click();
    await b.page.getByText('Nothing needs your decision.').waitFor();
    await backToTasks(b.page);

    await waitFor('A to show the merged title', () => a.page.getByTestId('task-title').filter({ hasText: 'Named by A and B' }).count());
    assert.deepEqual(await converged(a, b, 'Named by A and B'),
      { title: 'Named by A and B', notes: '', status: 'todo', priority: 'high', dueAt: '' });
    await waitForRecordState(b.page, 'Named by A and B', 'synced');
    assert.equal(await inboxCount(b.page), 0);
    await closeAll(a, b);
  });

  it('3. keeps an edit of a task deleted elsewhere as "deleted elsewhere"; restore brings it back with my edits on both', async () => {
    const [a, b] = await twoDevices();
    await sharedTask(a, b, 'Delete list', 'Fix fence');
    await b.context.setOffline(true);
    await editTask(b.page, 'Fix fence', { notes: 'Needs 20 posts' });
    await openTask(a.page, 'Fix fence');
    await a.page.getByTestId('edit-delete').click();
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);

    await waitFor('the task to disappear on B', async () => (await taskTitles(b.page)).length === 0);
    await waitFor('the header count', async () => (await inboxCount(b.page)) === 1);
    await openInbox(b.page);
    const item = inboxItem(b.page, 'Fix fence');
    assert.equal(await item.getAttribute('data-kind'), 'deleted-elsewhere');
    await item.getByTestId('inbox-restore').click();
    await b.page.getByText('Nothing needs your decision.').waitFor();
    await backToTasks(b.page);

    await a.page.getByTestId('task-title').filter({ hasText: 'Fix fence' }).waitFor();
    assert.equal((await converged(a, b, 'Fix fence')).notes, 'Needs 20 posts');
    await closeAll(a, b);
  });

  it('4. merges stale state after a long time offline against the right base: no remote change is reverted', async () => {
    const [a, b] = await twoDevices();
    await sharedTask(a, b, 'Stale list', 'Service boiler');
    await b.context.setOffline(true);
    await editTask(b.page, 'Service boiler', { notes: 'Bring the manual', dueAt: '2026-12-24' });
    // Several remote revisions while B is away.
    await editTask(a.page, 'Service boiler', { status: 'doing' });
    await waitForPhase(a.page, 'synced');
    await editTask(a.page, 'Service boiler', { priority: 'high' });
    await waitForPhase(a.page, 'synced');
    await editTask(a.page, 'Service boiler', { title: 'Service boiler (north)' });
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);
    await waitForPhase(b.page, 'synced');

    assert.deepEqual(await converged(a, b, 'Service boiler (north)'),
      { title: 'Service boiler (north)', notes: 'Bring the manual', status: 'doing', priority: 'high', dueAt: '2026-12-24' });
    assert.equal(await inboxCount(b.page), 0);
    await closeAll(a, b);
  });

  it('5. refuses offline writes into a list archived meanwhile with the reason; other writes sync; moving them gets them accepted', async () => {
    const [a, b] = await twoDevices();
    // Archiving is for owners.
    await setRole(env.server.url, a.user.email, 'owner');
    await sharedTask(a, b, 'Other site', 'Sweep yard');
    await createList(a.page, 'Old site');
    await createTask(a.page, 'Paint door');
    await waitForPhase(a.page, 'synced');
    await selectList(b.page, 'Old site');
    await b.page.getByTestId('task-title').filter({ hasText: 'Paint door' }).waitFor();

    await b.context.setOffline(true);
    await createTask(b.page, 'Added offline');
    await createTask(b.page, 'Not needed after all');
    await editTask(b.page, 'Paint door', { notes: 'Two coats' });
    await selectList(b.page, 'Other site');
    await editTask(b.page, 'Sweep yard', { priority: 'low' });
    await archiveList(a.page, 'Old site');
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);

    await waitFor('the refused writes in the header count', async () => (await inboxCount(b.page)) === 3);
    // The write to the live list got through.
    await waitForRecordState(b.page, 'Sweep yard', 'synced');
    await selectList(a.page, 'Other site');
    await waitFor('B\'s other edit on A', async () => (await readTask(a.page, 'Sweep yard')).priority === 'low');
    // The refused edit shows the server's truth on the record.
    await selectList(b.page, 'Old site');
    await b.page.getByTestId('list-archived-note').waitFor();
    await waitFor('the server notes on B', async () => (await readTask(b.page, 'Paint door')).notes === '');

    await openInbox(b.page);
    for (const label of ['Added offline', 'Not needed after all', 'Paint door']) {
      const item = inboxItem(b.page, label);
      assert.equal(await item.getByTestId('inbox-reason').getAttribute('data-code'), 'LIST_ARCHIVED');
      assert.match((await item.getByTestId('inbox-reason').textContent()) ?? '', /list was archived/);
    }
    assert.equal(await inboxItem(b.page, 'Paint door').getByTestId('fix-notes').inputValue(), 'Two coats');
    // Discarding (confirmed in a dialog) drops the refused insert everywhere.
    let confirmed = '';
    b.page.once('dialog', (dialog) => void (confirmed = dialog.message()));
    await inboxItem(b.page, 'Not needed after all').getByTestId('inbox-discard').click();
    await inboxItem(b.page, 'Not needed after all').waitFor({ state: 'detached' });
    assert.match(confirmed, /Discard your version of "Not needed after all"/);
    for (const label of ['Added offline', 'Paint door']) {
      const item = inboxItem(b.page, label);
      await item.getByTestId('inbox-move-target').selectOption({ label: 'Other site' });
      await item.getByTestId('inbox-move').click();
      await item.waitFor({ state: 'detached' });
    }
    await backToTasks(b.page);
    await selectList(b.page, 'Other site');
    await waitForPhase(b.page, 'synced');

    await selectList(a.page, 'Other site');
    await waitFor('the moved tasks on A', async () => (await taskTitles(a.page)).length === 3);
    assert.deepEqual((await taskTitles(a.page)).sort(), ['Added offline', 'Paint door', 'Sweep yard']);
    assert.equal((await readTask(a.page, 'Paint door')).notes, 'Two coats');
    assert.equal(await inboxCount(b.page), 0);
    await selectList(b.page, 'Old site');
    assert.deepEqual(await taskTitles(b.page), []);
    await closeAll(a, b);
  });

  it('deleted here while edited elsewhere: the task comes back with their edit, "delete anyway" deletes it on both', async () => {
    const [a, b] = await twoDevices();
    await sharedTask(a, b, 'Delete here list', 'Replace filter');
    await b.context.setOffline(true);
    await openTask(b.page, 'Replace filter');
    await b.page.getByTestId('edit-delete').click();
    await b.page.getByTestId('task-title').filter({ hasText: 'Replace filter' }).waitFor({ state: 'detached' });
    await editTask(a.page, 'Replace filter', { notes: 'Use the fine mesh' });
    await waitForPhase(a.page, 'synced');
    await b.context.setOffline(false);

    await b.page.getByTestId('task-title').filter({ hasText: 'Replace filter' }).waitFor();
    assert.equal((await readTask(b.page, 'Replace filter')).notes, 'Use the fine mesh');
    await waitFor('the header count', async () => (await inboxCount(b.page)) === 1);
    await openInbox(b.page);
    const item = inboxItem(b.page, 'Replace filter');
    assert.equal(await item.getAttribute('data-kind'), 'deleted-here');
    await item.getByTestId('inbox-delete-anyway').click();
    await b.page.getByText('Nothing needs your decision.').waitFor();
    await backToTasks(b.page);
    await waitFor('the task gone on both', async () => (await taskTitles(a.page)).length === 0 && (await taskTitles(b.page)).length === 0);
    await closeAll(a, b);
  });
});

/**
 * Two tabs of one device: one tab replicates for all (the Web Lock of `tab-leadership.ts`). When the
 * leader tab is closed or frozen (Chromium's page lifecycle, through the DevTools protocol),
 * the other tab's work must still reach the server, and both tabs must show the same state.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { newUser, openDevice, signInOnPage, useServerAndBrowser, waitFor } from './harness';
import { FaultProxy, isPush } from './fault-proxy';
import { createList, createTask, selectList, taskTitles, waitForRecordState } from './app-driver';
import { serverTasks } from './server-truth';

const env = useServerAndBrowser();
let proxy: FaultProxy;
let url: string;

beforeEach(async () => {
  await proxy?.stop();
  proxy = new FaultProxy(env.server.url);
  url = await proxy.start();
});
after(() => proxy?.stop());

interface Tabs {
  readonly context: BrowserContext;
  readonly leader: Page;
  readonly follower: Page;
  /** Pushes each tab has sent. */
  readonly pushes: Map<Page, number>;
}

/** Two tabs on one list; the leader is the tab that pushed the first task. */
async function twoTabs(listName: string): Promise<Tabs> {
  const context = await env.browser.newContext();
  const pushes = new Map<Page, number>();
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    page.on('request', (request) => {
      if (request.method() === 'POST' && isPush(request.postData() ?? '')) pushes.set(page, (pushes.get(page) ?? 0) + 1);
    });
    await page.goto(url);
    if (i === 0) await signInOnPage(page, newUser(), 'sign-up');
    await page.getByTestId('sync-indicator').waitFor();
    pages.push(page);
  }
  const [first, second] = pages as [Page, Page];
  await createList(first, listName);
  await selectList(second, listName);
  await createTask(first, `${listName}: first task`);
  await Promise.all(pages.map((page) => waitForRecordState(page, `${listName}: first task`, 'synced')));
  const leader = pages.find((page) => (pushes.get(page) ?? 0) > 0);
  assert.ok(leader, 'one tab pushed');
  return { context, leader, follower: leader === first ? second : first, pushes };
}

/**
 * Freezes a tab as Chromium freezes a background tab: the `freeze` event, then the page's
 * task queues stop (DevTools `Page.setWebLifecycleState`). DevTools freezes a visible tab
 * without firing the event, so the test fires it, as the browser would; that event is the
 * only part not caused for real.
 */
async function freeze(page: Page, cdp: CDPSession): Promise<void> {
  await page.evaluate(`document.dispatchEvent(new Event('freeze'))`);
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
}

async function resume(page: Page, cdp: CDPSession): Promise<void> {
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  await page.evaluate(`document.dispatchEvent(new Event('resume'))`);
}

async function onServer(title: string): Promise<number> {
  return (await serverTasks(env.server.url)).filter((task) => task.title === title && !task.deleted).length;
}

describe('two tabs, the leader closed or frozen', () => {
  it('lets the other tab take over when the leader tab closes, and push what was left pending', async (t) => {
    const { context, leader, follower, pushes } = await twoTabs('Closed leader');
    await context.setOffline(true);
    await createTask(follower, 'Left pending when the leader closed');
    await waitForRecordState(follower, 'Left pending when the leader closed', 'pending');
    await leader.close();
    const closedAt = Date.now();
    await context.setOffline(false);
    await waitForRecordState(follower, 'Left pending when the leader closed', 'synced');
    const takeOverMs = Date.now() - closedAt;
    assert.ok((pushes.get(follower) ?? 0) > 0, 'the remaining tab pushed');
    assert.equal(await onServer('Left pending when the leader closed'), 1);
    t.diagnostic(`take-over after the leader tab closed: pending change synced ${takeOverMs} ms after the close`);
    await context.close();
  });

  it('keeps syncing for both tabs while the leader tab is frozen, and both show the same state once it resumes', async (t) => {
    const { context, leader, follower, pushes } = await twoTabs('Frozen leader');
    const other = await openDevice(env.browser, url);
    await selectList(other.page, 'Frozen leader');
    const cdp = await context.newCDPSession(leader);
    await freeze(leader, cdp);
    const frozenAt = Date.now();
    const leaderPushesAtFreeze = pushes.get(leader) ?? 0;

    await createTask(follower, 'Made in the open tab while the leader was frozen');
    await waitForRecordState(follower, 'Made in the open tab while the leader was frozen', 'synced');
    const pushedMs = Date.now() - frozenAt;
    assert.equal(pushes.get(leader) ?? 0, leaderPushesAtFreeze, 'the frozen tab sent nothing');
    assert.ok((pushes.get(follower) ?? 0) > 0, 'the open tab took over');
    assert.equal(await onServer('Made in the open tab while the leader was frozen'), 1);

    await createTask(other.page, 'Made on another device while the leader was frozen');
    await follower.getByTestId('task-title').filter({ hasText: 'Made on another device while the leader was frozen' }).waitFor();
    const pulledMs = Date.now() - frozenAt;

    await resume(leader, cdp);
    const expected = ['Frozen leader: first task', 'Made in the open tab while the leader was frozen', 'Made on another device while the leader was frozen'];
    for (const page of [leader, follower]) {
      await waitFor('every task in the tab', async () => JSON.stringify(await taskTitles(page)) === JSON.stringify(expected));
      for (const title of expected) await waitForRecordState(page, title, 'synced');
    }
    t.diagnostic(`leader frozen: the open tab's change synced after ${pushedMs} ms, another device's change shown after ${pulledMs} ms; `
      + `pushes while frozen by the leader ${(pushes.get(leader) ?? 0) - leaderPushesAtFreeze}, by the open tab ${pushes.get(follower) ?? 0}`);
    await Promise.all([context.close(), other.context.close()]);
  });
});

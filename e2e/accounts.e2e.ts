/**
 * Accounts end to end: the built app in Chromium against the real server, with access
 * tokens that live 4 seconds so expiry happens within a test. Two people share the
 * default workspace live; an access token expiring while offline does not stop local
 * work and sync resumes with a renewed token; a session the server ended keeps the
 * pending work and says "sign in again to sync"; sign-out warns with the unsynced count;
 * two people on one device never see each other's data.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { graphql, launchBrowser, openDevice, signInOnPage, startServer, waitFor, type RunningServer } from './harness';
import { createList, createTask, selectList, syncLabel, taskTitles, waitForPhase, waitForRecordState } from './app-driver';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';

const TOKEN_SECONDS = 4;

interface StoredSession { accessToken: string | null; accessTokenExpiresAt: number; refreshToken: string | null }

async function storedSession(page: Page): Promise<StoredSession> {
  return page.evaluate('JSON.parse(localStorage.getItem("fieldbook.session"))') as Promise<StoredSession>;
}

/** Waits (on the condition, not a fixed time) until the page's access token has expired. */
async function waitForTokenExpiry(page: Page): Promise<void> {
  const { accessTokenExpiresAt } = await storedSession(page);
  await waitFor('the access token to expire', () => Date.now() > accessTokenExpiresAt + 500, (TOKEN_SECONDS + 5) * 1000);
}

/** A read-only personal access token: unlike sign-in tokens it outlives the 4 s of this server. */
let readToken: string;

async function serverTaskTitles(url: string): Promise<string[]> {
  const { tasks } = await graphql<{ tasks: { nodes: { title: string }[] } }>(url,
    'query($w: ID!) { tasks(workspaceId: $w, first: 500) { nodes { title } } }', { w: DEFAULT_WORKSPACE_ID }, readToken);
  return tasks.nodes.map((t) => t.title);
}

describe('accounts', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startServer({ env: { ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) } }), launchBrowser()]);
    const { signUp } = await graphql<{ signUp: { accessToken: string } }>(server.url,
      'mutation { signUp(email: "reader@example.org", password: "reader password") { accessToken } }', {}, 'none');
    const { createAccessToken } = await graphql<{ createAccessToken: { token: string } }>(server.url,
      'mutation($w: ID!) { createAccessToken(workspaceId: $w, name: "e2e reader", readOnly: true) { token } }', { w: DEFAULT_WORKSPACE_ID }, signUp.accessToken);
    readToken = createAccessToken.token;
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('two people share the workspace live, also after their tokens expired (the stream reconnects with a fresh one)', async () => {
    const [ana, ben] = await Promise.all([openDevice(browser, server.url), openDevice(browser, server.url)]);
    await createList(ana.page, 'Shared site');
    await selectList(ben.page, 'Shared site');
    await createTask(ana.page, 'Before expiry');
    await ben.page.getByTestId('task-title').filter({ hasText: 'Before expiry' }).waitFor();
    // Both tokens lapse; the server closes both sockets; the next change still arrives live.
    await Promise.all([waitForTokenExpiry(ana.page), waitForTokenExpiry(ben.page)]);
    await createTask(ana.page, 'After expiry');
    await ben.page.getByTestId('task-title').filter({ hasText: 'After expiry' }).waitFor({ timeout: 20_000 });
    assert.equal(await ana.page.getByTestId('signed-in-as').textContent(), ana.user.email);
    await Promise.all([ana.context.close(), ben.context.close()]);
  });

  it('keeps working when the token expires offline, across a reload, and syncs with a renewed token online', async () => {
    const device = await openDevice(browser, server.url);
    await createList(device.page, 'Basement');
    await waitForPhase(device.page, 'synced');
    const before = await storedSession(device.page);
    await device.context.setOffline(true);
    await waitForTokenExpiry(device.page);
    await createTask(device.page, 'Written with an expired token');
    await waitForRecordState(device.page, 'Written with an expired token', 'pending');
    await device.page.reload();
    await selectList(device.page, 'Basement');
    assert.deepEqual(await taskTitles(device.page), ['Written with an expired token']);

    await device.context.setOffline(false);
    await waitForRecordState(device.page, 'Written with an expired token', 'synced');
    assert.ok((await serverTaskTitles(server.url)).includes('Written with an expired token'));
    const after = await storedSession(device.page);
    assert.notEqual(after.refreshToken, before.refreshToken, 'the session was renewed');
    await device.context.close();
  });

  it('says "sign in again to sync" when the server ended the session, keeps the pending work, and signing in resumes it', async () => {
    const device = await openDevice(browser, server.url);
    await createList(device.page, 'Revoked');
    await waitForPhase(device.page, 'synced');
    // The session is ended elsewhere (e.g. signed out on another device).
    const { refreshToken } = await storedSession(device.page);
    await graphql(server.url, 'mutation($t: String!) { signOut(refreshToken: $t) }', { t: refreshToken });
    await device.context.setOffline(true);
    await createTask(device.page, 'Kept for later');
    await waitForTokenExpiry(device.page);
    await device.context.setOffline(false);

    await waitForPhase(device.page, 'failed');
    assert.match(await syncLabel(device.page), /Sign in again to sync/);
    await device.page.getByTestId('sign-in-again-link').click();
    await device.page.getByTestId('sign-in-again').waitFor();
    assert.match((await device.page.getByTestId('sign-in-again').textContent()) ?? '', /1 unsynced change/);
    assert.ok(!(await serverTaskTitles(server.url)).includes('Kept for later'));

    await device.page.getByTestId('password').fill(device.user.password);
    await device.page.getByTestId('auth-submit').click();
    await selectList(device.page, 'Revoked');
    await waitForRecordState(device.page, 'Kept for later', 'synced');
    assert.ok((await serverTaskTitles(server.url)).includes('Kept for later'));
    await device.context.close();
  });

  it('warns on sign-out with the number of unsynced changes, and two people on one device see only their own data', async () => {
    const device = await openDevice(browser, server.url);
    await createList(device.page, 'Private notes');
    await waitForPhase(device.page, 'synced');
    await device.context.setOffline(true);
    await createTask(device.page, 'Unsynced one');
    await createTask(device.page, 'Unsynced two');

    // Cancel first: still signed in, nothing lost.
    const messages: string[] = [];
    device.page.removeAllListeners('dialog');
    device.page.once('dialog', (dialog) => {
      messages.push(dialog.message());
      void dialog.dismiss();
    });
    await device.page.getByTestId('sign-out').click();
    await waitFor('the warning', () => messages.length === 1);
    assert.match(messages[0]!, /2 unsynced changes/);
    assert.deepEqual((await taskTitles(device.page)).sort(), ['Unsynced one', 'Unsynced two']);

    // Online again, everything syncs, and sign-out needs no warning.
    await device.context.setOffline(false);
    await waitForPhase(device.page, 'synced');
    device.page.once('dialog', (dialog) => {
      messages.push(dialog.message());
      void dialog.accept();
    });
    await device.page.getByTestId('sign-out').click();
    await device.page.getByTestId('auth-submit').waitFor();
    assert.equal(messages.length, 1);

    // Someone else signs in on the same device (same browser storage): their own, empty database.
    // The lists of the shared default workspace sync to them, but never the first person's local-only state.
    const other = { email: `other-${Date.now()}@example.org`, password: 'another long password' };
    await signInOnPage(device.page, other, 'sign-up');
    assert.equal(await device.page.getByTestId('signed-in-as').textContent(), other.email);
    const databases = (await device.page.evaluate('indexedDB.databases().then((d) => d.map((x) => x.name))')) as string[];
    assert.ok(databases.filter((name) => /fieldbook-u-/.test(name)).length >= 2, `one database per person: ${databases.join(', ')}`);
    await device.context.close();
  });
});

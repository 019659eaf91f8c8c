/**
 * Workspaces end to end: an owner creates a workspace and switches to it, shares a join
 * code for viewers; a viewer joins, sees everything and can change nothing; the owner
 * removes them and their app leaves the workspace, saying so. Lists never cross
 * workspaces.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { newUser, openDevice, useServerAndBrowser, waitFor } from './harness';
import { createList, listNames, waitForPhase } from './app-driver';

const env = useServerAndBrowser();

async function openWorkspaces(page: Page): Promise<void> {
  await page.getByTestId('workspace-link').click();
  await page.getByTestId('workspace-list').waitFor();
  await page.getByTestId('workspace-item').first().waitFor();
}

/** Waits for the app to restart on a workspace (switching reloads it at '/'). */
async function waitForWorkspace(page: Page, name: string): Promise<void> {
  await page.getByTestId('workspace-link').filter({ hasText: name }).waitFor();
  await page.getByTestId('lists').waitFor();
}

describe('workspaces', () => {
  it('owner creates and shares a workspace; a viewer reads but cannot write; a removed member\'s app leaves it', async () => {
    const [ana, ben] = await Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
    await createList(ana.page, 'Default only');
    await waitForPhase(ana.page, 'synced');

    await openWorkspaces(ana.page);
    await ana.page.getByTestId('new-workspace-input').fill('Crew B');
    await ana.page.getByTestId('new-workspace-submit').click();
    await waitForWorkspace(ana.page, 'Crew B');
    assert.deepEqual(await listNames(ana.page), [], 'a new workspace starts empty');
    await createList(ana.page, 'B only');
    await waitForPhase(ana.page, 'synced');

    await openWorkspaces(ana.page);
    await ana.page.getByTestId('code-role').selectOption('viewer');
    await ana.page.getByTestId('make-code').click();
    const code = ((await ana.page.getByTestId('join-code').textContent()) ?? '').trim();
    assert.ok(code.length > 10);

    await openWorkspaces(ben.page);
    await ben.page.getByTestId('join-code-input').fill(code);
    await ben.page.getByTestId('join-submit').click();
    await waitForWorkspace(ben.page, 'Crew B');
    await waitFor('the shared list on the viewer', async () => (await listNames(ben.page)).join() === 'B only');

    // A viewer changes nothing: the app refuses at once, with the reason.
    await ben.page.getByTestId('new-list-input').fill('Not allowed');
    await ben.page.getByTestId('new-list-submit').click();
    await ben.page.getByText('You can view this workspace but not change it').waitFor();
    assert.deepEqual(await listNames(ben.page), ['B only']);

    // Switching back shows the default workspace's lists only.
    await openWorkspaces(ana.page);
    const items = ana.page.getByTestId('workspace-item');
    await items.filter({ hasNotText: 'Crew B' }).getByTestId('switch-workspace').click();
    await ana.page.getByTestId('lists').waitFor();
    await waitFor('the default workspace lists', async () => (await listNames(ana.page)).includes('Default only'));
    assert.ok(!(await listNames(ana.page)).includes('B only'));
    // Crew B's documents in the same database are not pushed to the default workspace.
    await waitForPhase(ana.page, 'synced');
    assert.equal(await ana.page.getByTestId('needs-attention').count(), 0);

    // The owner removes the viewer from Crew B: their sync says so.
    await openWorkspaces(ana.page);
    await items.filter({ hasText: 'Crew B' }).getByTestId('switch-workspace').click();
    await waitForWorkspace(ana.page, 'Crew B');
    await openWorkspaces(ana.page);
    const benRow = ana.page.getByTestId('member-row').filter({ hasText: ben.user.email });
    await benRow.getByTestId('remove-member').click();
    await benRow.waitFor({ state: 'detached' });

    // Refused, the app checks the viewer's workspaces: Crew B is gone, so it leaves it.
    await ben.page.reload();
    const message = ben.page.getByTestId('lost-access-message');
    await message.waitFor({ timeout: 30_000 });
    assert.equal((await message.textContent())?.trim(), 'You were removed from Crew B. None of your changes were waiting to sync.');
    await ben.page.getByTestId('lists').waitFor();
    assert.doesNotMatch((await ben.page.getByTestId('workspace-link').textContent()) ?? '', /Crew B/);
    assert.ok(!(await listNames(ben.page)).includes('B only'));
    await waitForPhase(ben.page, 'synced');
    await Promise.all([ana.context.close(), ben.context.close()]);
  });

  it('owner invites by email: a person with an account is added at once, a new person joins when they sign up', async () => {
    const [ana, ben] = await Promise.all([openDevice(env.browser, env.server.url), openDevice(env.browser, env.server.url)]);
    await openWorkspaces(ana.page);
    await ana.page.getByTestId('new-workspace-input').fill('Crew C');
    await ana.page.getByTestId('new-workspace-submit').click();
    await waitForWorkspace(ana.page, 'Crew C');
    await createList(ana.page, 'C only');
    await waitForPhase(ana.page, 'synced');

    const carol = newUser();
    await openWorkspaces(ana.page);
    for (const [email, role, said] of [[ben.user.email, 'member', 'is now a member'], [carol.email, 'viewer', 'joins as viewer when they create their account']] as const) {
      await ana.page.getByTestId('invite-email').fill(email);
      await ana.page.getByTestId('invite-role').selectOption(role);
      await ana.page.getByTestId('invite-submit').click();
      await waitFor(`the invitation of ${email}`, async () => ((await ana.page.getByTestId('workspace-message').textContent()) ?? '').includes(said));
    }

    const carolDevice = await openDevice(env.browser, env.server.url, { user: carol });
    for (const device of [ben, carolDevice]) {
      await openWorkspaces(device.page);
      await device.page.getByTestId('workspace-item').filter({ hasText: 'Crew C' }).getByTestId('switch-workspace').click();
      await waitForWorkspace(device.page, 'Crew C');
      await waitFor('the invited workspace\'s list', async () => (await listNames(device.page)).join() === 'C only');
    }
    await Promise.all([ana.context.close(), ben.context.close(), carolDevice.context.close()]);
  });
});

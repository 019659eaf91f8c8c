/**
 * Reconciliation end to end: the built app in Chromium (real RxDB on IndexedDB) against
 * the real server on PostgreSQL. The server's data is changed behind the change feed's
 * back (a row removed, as when a tombstone is purged; a row edited without a new change
 * sequence number), so no pull or stream can bring it: the device's copy has diverged.
 * "Verify" on the Sync page finds the differing ranges and repairs them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { launchBrowser, openDevice, startServer, waitFor, type RunningServer } from './harness';
import { createList, createTask, openSyncPage, taskTitles, waitForPhase } from './app-driver';
import { BACKENDS, type TestDatabase } from '../server/test-support';
import type { Browser } from 'playwright-core';

describe('Verify on the Sync page', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    database = await BACKENDS.find((b) => b.name === 'postgres')!.create();
    [server, browser] = await Promise.all([startServer({ env: { DATABASE_URL: database.config.databaseUrl! } }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
    await database?.dispose();
  });

  it('repairs a diverged local copy: a document the server lost, another changed behind the feed', async () => {
    const { page, context } = await openDevice(browser, server.url);
    await createList(page, 'Site');
    await createTask(page, 'Stays');
    await createTask(page, 'Purged on the server');
    await createTask(page, 'Renamed on the server');
    await waitForPhase(page, 'synced');

    const admin = new pg.Client({ connectionString: database.config.databaseUrl! });
    await admin.connect();
    try {
      await admin.query(`DELETE FROM documents WHERE collection = 'tasks' AND data->>'title' = 'Purged on the server'`);
      await admin.query(`UPDATE documents SET revision = revision + 1, data = jsonb_set(data, '{title}', '"Renamed behind the feed"')
        WHERE collection = 'tasks' AND data->>'title' = 'Renamed on the server'`);
    } finally {
      await admin.end();
    }

    await openSyncPage(page);
    await page.getByTestId('verify').click();
    const result = await waitFor('the verification result', async () => {
      const text = ((await page.getByTestId('verify-result').textContent()) ?? '').trim();
      return /repaired|matches/.test(text) ? text : undefined;
    });
    assert.match(result ?? '', /[12] ranges? repaired/);

    await page.goBack();
    await waitFor('the repaired task list', async () => {
      const titles = await taskTitles(page);
      return titles.includes('Renamed behind the feed') && !titles.includes('Purged on the server') && titles.includes('Stays');
    });

    // A second verification finds nothing left to repair.
    await openSyncPage(page);
    await page.getByTestId('verify').click();
    await waitFor('a clean verification', async () => /matches the server/.test((await page.getByTestId('verify-result').textContent()) ?? ''));
    await context.close();
  });

  it('verifies by itself when the device comes back after more than an hour without a sync', async () => {
    const { page, context } = await openDevice(browser, server.url);
    await createList(page, 'Yard');
    await createTask(page, 'Still there');
    await createTask(page, 'Gone behind the feed');
    await waitForPhase(page, 'synced');
    await context.setOffline(true);
    await waitForPhase(page, 'offline');

    const admin = new pg.Client({ connectionString: database.config.databaseUrl! });
    await admin.connect();
    try {
      await admin.query(`DELETE FROM documents WHERE collection = 'tasks' AND data->>'title' = 'Gone behind the feed'`);
    } finally {
      await admin.end();
    }
    // Two hours away, as the device remembers it (the test cannot wait an hour).
    await page.evaluate(() => localStorage.setItem('fieldbook.lastSyncedAt', String(Date.now() - 2 * 3_600_000)));

    await context.setOffline(false);
    await waitFor('the automatic repair', async () => {
      const titles = await taskTitles(page);
      return titles.includes('Still there') && !titles.includes('Gone behind the feed');
    });
    await openSyncPage(page);
    assert.match((await page.getByTestId('verify-result').textContent()) ?? '', /1 range repaired/);
    await context.close();
  });
});

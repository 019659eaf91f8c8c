/**
 * A device running the built app, signed in as a fresh member and synced, plus a second
 * tab on its own database (`bench/pages/app-db.ts`) for edits and arrival times.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../../e2e/harness';
import type { AppDbApi } from '../pages/app-db';
import { openBenchPage } from './bench-page';
import { installSession, signUpBenchUser, type BenchUser } from './session';

export interface AppClient {
  readonly user: BenchUser;
  readonly context: BrowserContext;
  /** The app's tab: the one that replicates. */
  readonly app: Page;
  /** The second tab on the same database. */
  readonly db: Page;
  close(): Promise<void>;
}

export async function openSyncedApp(browser: Browser, url: string, total: number): Promise<AppClient> {
  const user = await signUpBenchUser(url);
  // No service worker: it would answer the bench tab's navigation itself, out of
  // Playwright's reach (sync requests bypass it anyway).
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await installSession(context, user);
    const app = await context.newPage();
    await app.goto(url);
    await app.getByTestId('sync-indicator').waitFor();
    const db = await openBenchPage(context, url, 'app-db.ts', { databaseName: user.databaseName });
    await db.waitForFunction(() => {
      const w = window as unknown as { __APP_DB__?: unknown; __APP_DB_ERROR__?: string };
      if (w.__APP_DB_ERROR__) throw new Error(w.__APP_DB_ERROR__);
      return w.__APP_DB__;
    }, undefined, { polling: 50, timeout: 30_000 });
    await waitFor(`the app holding ${total} tasks`, async () => (await appDb(db, 'count')) >= total, Math.max(60_000, total * 3));
    return { user, context, app, db, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Calls one method of the app-db tab's API (see `AppDbApi`). */
export function appDb<K extends keyof AppDbApi>(db: Page, method: K, ...args: Parameters<AppDbApi[K]>): Promise<Awaited<ReturnType<AppDbApi[K]>>> {
  return db.evaluate(
    ([name, list]) => {
      const api = (window as unknown as { __APP_DB__: Record<string, (...a: unknown[]) => unknown> }).__APP_DB__;
      return api[name]!(...list);
    },
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<AppDbApi[K]>>>;
}

/** Chromium for the bench: the e2e harness's launch flags, one fresh context per run. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
export { launchBrowser } from '../../e2e/harness';

/**
 * Injected into every page of a context before any app script: polls the app's task
 * store (the IndexedDB database `dbName`, see `BenchUser.tasksIndexedDb`) and records `performance.now()` (ms since navigation start) once it holds
 * `total` documents. It opens the database only once it exists and closes it at once,
 * so RxDB's own open/upgrade is never blocked.
 */
export async function installTaskCountProbe(context: BrowserContext, dbName: string, total: number): Promise<void> {
  // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
  await context.addInitScript(`(() => {
    if (window.top !== window) return;
    const dbName = ${JSON.stringify(dbName)};
    const total = ${total};
    const count = () => new Promise((resolve) => {
      const request = indexedDB.open(dbName);
      request.onerror = () => resolve(0);
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        if (!db.objectStoreNames.contains('docs')) { db.close(); resolve(0); return; }
        const c = db.transaction('docs', 'readonly').objectStore('docs').count();
        c.onsuccess = () => { db.close(); resolve(c.result); };
        c.onerror = () => { db.close(); resolve(0); };
      };
    });
    const tick = async () => {
      const dbs = await indexedDB.databases();
      if (dbs.some((d) => d.name === dbName) && (await count()) >= total) {
        const graphql = performance.getEntriesByType('resource')
          .filter((e) => e.name.endsWith('/graphql'))
          .map((e) => [e.startTime, e.responseEnd]);
        window.__BENCH_RESULT__ = { ms: performance.now(), graphql };
        return;
      }
      setTimeout(tick, 20);
    };
    tick();
  })();`);
}

/** Where a sync's time went, from the page's resource timings of its GraphQL requests. */
export interface TimeSplit {
  /** Navigation start to the first pull request (page load, database open, leader election). */
  readonly bootMs: number;
  /** Time with at least one request in flight (server + network). */
  readonly networkMs: number;
  /** The rest: the client handling responses and writing to IndexedDB. */
  readonly clientMs: number;
}

export function splitTime(ms: number, graphql: readonly (readonly [number, number])[]): TimeSplit {
  const spans = [...graphql].sort((a, b) => a[0] - b[0]);
  const bootMs = spans[0]?.[0] ?? ms;
  let networkMs = 0;
  let end = 0;
  for (const [s, e] of spans) {
    const from = Math.max(s, end);
    if (e > from) networkMs += e - from;
    end = Math.max(end, e);
  }
  return { bootMs, networkMs, clientMs: ms - bootMs - networkMs };
}

export async function waitResult<T extends { ms: number; error?: string }>(page: Page, timeoutMs: number): Promise<T> {
  const handle = await page.waitForFunction(() => (window as unknown as { __BENCH_RESULT__?: unknown }).__BENCH_RESULT__, undefined, { polling: 50, timeout: timeoutMs });
  const result = (await handle.jsonValue()) as T;
  if (result.error) throw new Error(result.error);
  return result;
}

/** Counts GraphQL requests (POSTs to /graphql) a page makes. */
export function countGraphqlRequests(page: Page): { readonly n: number } {
  const counter = { n: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/graphql')) counter.n++;
  });
  return counter;
}

export type { Browser };

/** A bench page (a bundled `bench/pages/*.ts`) opened in a context, on `origin`. */
import type { BrowserContext, Page } from 'playwright-core';
import { bundle } from './bundle';

/**
 * Serves the page from Playwright at `<origin>/__bench/<name>.html` (same origin as the
 * server, so its IndexedDB, BroadcastChannel and requests are the app's), with `config`
 * as `window.__BENCH__`.
 */
export async function openBenchPage(context: BrowserContext, origin: string, entry: string, config: object): Promise<Page> {
  const script = await bundle(entry);
  const page = await context.newPage();
  const pageUrl = `${origin}/__bench/${entry.replace(/\.ts$/, '')}.html`;
  await page.route(pageUrl, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><meta charset="utf-8"><script>window.__BENCH__=${JSON.stringify(config)}</script><script>${script}</script>`,
  }));
  await page.goto(pageUrl);
  return page;
}

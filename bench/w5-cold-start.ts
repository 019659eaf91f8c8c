/**
 * W5: cold start offline with 10k local tasks. One context loads the app online until its
 * local database holds every task and the service worker has cached the shell; then, offline,
 * each reload is timed from navigation start until the first task row is in the DOM
 * (and until the next animation frame after it, roughly the first paint of the list).
 */
import type { Browser } from 'playwright-core';
import { waitForOfflineShell } from '../e2e/harness';
import { progress } from './lib/log';
import { installSession, signUpBenchUser } from './lib/session';

export interface W5Sample { readonly domMs: number; readonly frameMs: number }

const FIRST_ROW_PROBE = `(() => {
  if (window.top !== window) return;
  const found = () => {
    const frame = performance.now();
    requestAnimationFrame(() => { window.__BENCH_FIRST_ROW__ = { domMs: frame, frameMs: performance.now() }; });
  };
  const observer = new MutationObserver(() => {
    if (document.querySelector('[data-testid="task-row"]')) { observer.disconnect(); found(); }
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

export async function runW5(browser: Browser, url: string, total: number, runs: number): Promise<W5Sample[]> {
  const user = await signUpBenchUser(url);
  const context = await browser.newContext();
  try {
    await installSession(context, user);
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('task-count').filter({ hasText: `${total} total` }).waitFor({ timeout: Math.max(60_000, total * 3) });
    await waitForOfflineShell(page);
    await context.addInitScript(FIRST_ROW_PROBE);
    await context.setOffline(true);
    const samples: W5Sample[] = [];
    for (let i = -1; i < runs; i++) {
      await page.reload();
      const handle = await page.waitForFunction(() => (window as unknown as { __BENCH_FIRST_ROW__?: W5Sample }).__BENCH_FIRST_ROW__, undefined, { polling: 50, timeout: 30_000 });
      const sample = (await handle.jsonValue()) as W5Sample;
      if (!(await page.evaluate(() => navigator.onLine === false))) throw new Error('W5 reload was not offline');
      progress(`W5 ${total} ${i < 0 ? 'warm-up' : `run ${i + 1}`}: first row in DOM ${Math.round(sample.domMs)} ms, next frame ${Math.round(sample.frameMs)} ms`);
      if (i >= 0) samples.push(sample);
    }
    return samples;
  } finally {
    await context.close();
  }
}

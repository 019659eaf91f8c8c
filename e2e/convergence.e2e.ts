/**
 * The seeded convergence harness (`e2e/convergence/`) with real Chromium devices beside
 * the Node clients: two Node clients on the app's sync stack and two devices running
 * the built app, each behind its own chaos proxy, against the real server, which is
 * SIGKILLed mid-push and restarted. A few seeds here; `npm run soak` runs many (Node
 * clients only). A failing seed's checks are the assertion message, with how to replay.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './harness';
import { openBrowserClient } from './convergence/browser-client';
import { tolerateWebSocketErrorEvents } from './convergence/node-client';
import { runSeed } from './convergence/run-seed';

const SEEDS = [101];
/** The first list the run's owner creates; both devices work in it. */
const SHARED_LIST = 'List n0--1';

tolerateWebSocketErrorEvents();

describe('convergence under faults (Node clients and Chromium devices)', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: no write lost, every replica converges to the server, no resurrected delete, nothing goes backwards`, { timeout: 240_000 }, async (t) => {
      const result = await runSeed({
        seed,
        nodeClients: 2,
        operationsPerClient: 20,
        serverKills: 1,
        convergenceTimeoutMs: 45_000,
        extraClients: (run) => Promise.all(['b0', 'b1'].map((name) => openBrowserClient(browser, name, SHARED_LIST, run))),
      });
      t.diagnostic(`${result.operations} operations, faults ${JSON.stringify(result.faults)}, converged in ${result.convergenceMs} ms, phases ${JSON.stringify(result.phases)}`);
      assert.deepEqual(result.failures, [], `seed ${seed} failed; replay the Node part with npm run soak -- --seed ${seed}`);
      assert.equal(result.writesLost, 0);
      assert.ok(result.convergenceMs !== null && result.operations > 0);
    });
  }
});

/**
 * W1: initial sync into a fresh client. The app (built, served by the real server) in a
 * fresh browser context until its local task store holds every task, against the floor:
 * the same pages fetched with `fetch` and written with raw Dexie `bulkPut`.
 */
import type { Browser } from 'playwright-core';
import { openBenchPage } from './lib/bench-page';
import { countGraphqlRequests, installTaskCountProbe, splitTime, waitResult, type TimeSplit } from './lib/browser';
import { progress } from './lib/log';
import { TASK_FIELDS, WORKSPACE_ID } from './lib/seed';
import { installSession, signUpBenchUser } from './lib/session';

/**
 * `app`: the built app; `rxdb`: the app's database and replication files alone in a blank
 * page (`rxdb-batch1000`: with pull pages of 1,000, the server's maximum, instead of 500); `floor`: fetch + raw Dexie `bulkPut` per page; `floor-pipelined`: the same, with the
 * next page fetched while the current one is written.
 */
export type W1Variant = 'app' | 'rxdb' | 'rxdb-batch1000' | 'floor' | 'floor-pipelined';

export interface W1Sample extends TimeSplit { readonly ms: number; readonly requests: number }

type ProbeResult = { ms: number; requests?: number; graphql: [number, number][] };

const APP_PULL_BATCH = 500;
const FLOOR_QUERY = `query PullTasks($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) { documents { ${TASK_FIELDS} } checkpoint { seq id } }
}`;

async function appRun(browser: Browser, url: string, total: number, timeoutMs: number): Promise<W1Sample> {
  const user = await signUpBenchUser(url);
  const context = await browser.newContext();
  try {
    await installSession(context, user);
    await installTaskCountProbe(context, user.tasksIndexedDb, total);
    const page = await context.newPage();
    const requests = countGraphqlRequests(page);
    await page.goto(url);
    const { ms, graphql } = await waitResult<ProbeResult>(page, timeoutMs);
    return { ms, requests: requests.n, ...splitTime(ms, graphql) };
  } finally {
    await context.close();
  }
}

async function pageRun(browser: Browser, url: string, entry: string, settings: object, timeoutMs: number): Promise<W1Sample> {
  const config = { ...settings, authorization: (await signUpBenchUser(url)).authorization };
  const context = await browser.newContext();
  try {
    const page = await openBenchPage(context, url, entry, config);
    const { ms, requests, graphql } = await waitResult<ProbeResult>(page, timeoutMs);
    return { ms, requests: requests ?? 0, ...splitTime(ms, graphql) };
  } finally {
    await context.close();
  }
}

export async function runW1(browser: Browser, url: string, total: number, runs: number, variants: readonly W1Variant[], warmUp = true): Promise<Partial<Record<W1Variant, W1Sample[]>>> {
  const timeoutMs = Math.max(60_000, total * 3);
  const samples = Object.fromEntries(variants.map((v) => [v, [] as W1Sample[]])) as Record<W1Variant, W1Sample[]>;
  // One warm-up of each variant, then the runs interleaved so drift hits all alike.
  for (let i = warmUp ? -1 : 0; i < runs; i++) {
    for (const variant of variants) {
      const sample = variant === 'app' ? await appRun(browser, url, total, timeoutMs)
        : variant === 'rxdb' ? await pageRun(browser, url, 'rxdb.ts', { total, workspaceId: WORKSPACE_ID }, timeoutMs)
        : variant === 'rxdb-batch1000' ? await pageRun(browser, url, 'rxdb.ts', { total, workspaceId: WORKSPACE_ID, pullBatchSize: 1000 }, timeoutMs)
        : await pageRun(browser, url, 'floor.ts', {
          total, batchSize: APP_PULL_BATCH, query: FLOOR_QUERY, workspaceId: WORKSPACE_ID, pipelined: variant === 'floor-pipelined',
        }, timeoutMs);
      progress(`W1 ${total} ${variant} ${i < 0 ? 'warm-up' : `run ${i + 1}`}: ${Math.round(sample.ms)} ms (boot ${Math.round(sample.bootMs)}, network ${Math.round(sample.networkMs)}, client ${Math.round(sample.clientMs)}), ${sample.requests} requests`);
      if (i >= 0) samples[variant].push(sample);
    }
  }
  return samples;
}

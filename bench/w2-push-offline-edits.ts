/**
 * W2: pushing offline edits on reconnect. A device with the built app, synced with every
 * task of the workspace, goes offline (`context.setOffline`), edits every task locally,
 * and comes back online; timed from the reconnect until the server's change feed holds
 * every edit (the server has accepted all of them). The floor, in the same run: the same
 * push batches (the app's push size and GraphQL JSON) POSTed with `fetch` from a page to
 * a server that only writes each batch with one multi-row upsert
 * (`bench/servers/push-floor.ts`), on the same kind of database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Request } from 'playwright-core';
import { waitFor } from '../e2e/harness';
import { collectionByName } from '../src/shared/collections';
import { pushMutation } from '../src/shared/operations';
import { appDb, openSyncedApp } from './lib/app-client';
import { benchDatabaseUrl, type Backend } from './lib/backends';
import { openBenchPage } from './lib/bench-page';
import { waitResult } from './lib/browser';
import { startChildServer, type ChildServer } from './lib/child-server';
import { FeedCursor } from './lib/feed-cursor';
import { progress } from './lib/log';
import { WORKSPACE_ID, type Seeder } from './lib/seed';

/** The app's push batch (`pushBatchSize` default in src/app/sync/replication.ts). */
const APP_PUSH_BATCH = 200;
/** Local edits in flight at once while editing offline (not timed). */
const EDIT_PARALLEL = 200;

/** A push of 10k edits takes a minute or more on a busy machine: at most this many timed rounds. */
export const W2_MAX_RUNS = 2;

export interface W2Sample {
  readonly ms: number;
  /** Push requests sent. */
  readonly requests: number;
  /** Time with a push request in flight (request sent to response read), for attribution. */
  readonly inFlightMs?: number;
}

export interface W2Results {
  readonly documents: number;
  readonly app: W2Sample[];
  readonly floor: W2Sample[];
}

const retitle = (title: string, tag: string) => `${title.split(' · ')[0]} · ${tag}`;

async function startFloor(backend: Backend): Promise<ChildServer & { dispose(): Promise<void> }> {
  const dataDir = backend === 'pglite' ? await mkdtemp(path.join(tmpdir(), 'fieldbook-push-floor-')) : undefined;
  const server = await startChildServer('bench/servers/push-floor.ts', dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: benchDatabaseUrl() });
  return { ...server, dispose: async () => {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  } };
}

async function floorRun(browser: Browser, floorUrl: string, seeder: Seeder, tag: string, timeoutMs: number): Promise<W2Sample> {
  const rows = seeder.tasks.map((doc) => ({ assumedMasterState: doc, newDocumentState: { ...doc, revision: doc.revision + 1, title: retitle(doc.title, tag) } }));
  const context = await browser.newContext();
  try {
    const page = await openBenchPage(context, floorUrl, 'push-floor.ts', { query: pushMutation(collectionByName('tasks')!), workspaceId: WORKSPACE_ID, batchSize: APP_PUSH_BATCH, rows });
    const { ms, requests } = await waitResult<{ ms: number; requests: number }>(page, timeoutMs);
    return { ms, requests };
  } finally {
    await context.close();
  }
}

export async function runW2(browser: Browser, url: string, backend: Backend, seeder: Seeder, runs: number): Promise<W2Results> {
  const total = seeder.tasks.length;
  const timeoutMs = Math.max(60_000, total * 10);
  const cursor = new FeedCursor(url);
  await cursor.drain();
  const floor = await startFloor(backend);
  const client = await openSyncedApp(browser, url, total).catch(async (error: unknown) => {
    await floor.dispose();
    throw error;
  });
  const pushes = { n: 0, inFlightMs: 0 };
  const isPush = (request: Request) => request.method() === 'POST' && request.postData()?.includes('"operationName":"PushTasks"');
  client.app.on('request', (request) => {
    if (isPush(request)) pushes.n++;
  });
  client.app.on('requestfinished', (request) => {
    // Pushes go one batch at a time, so their in-flight spans add up without overlap.
    if (isPush(request)) pushes.inFlightMs += request.timing().responseEnd;
  });
  const out: W2Results = { documents: total, app: [], floor: [] };
  try {
    for (let i = -1; i < Math.min(runs, W2_MAX_RUNS); i++) {
      const label = i < 0 ? 'warm-up' : `run ${i + 1}`;
      const tag = `w2-${i + 1}`;
      await client.context.setOffline(true);
      await client.app.waitForFunction(() => !navigator.onLine);
      const edited = await appDb(client.db, 'editAll', tag, EDIT_PARALLEL);
      if (edited !== total) throw new Error(`W2 edited ${edited} of ${total} tasks`);
      pushes.n = 0;
      pushes.inFlightMs = 0;
      const reconnected = performance.now();
      await client.context.setOffline(false);
      const accepted = new Set<string>();
      await waitFor(`the server accepting ${total} offline edits`, async () => {
        const changes = await cursor.drain();
        for (const doc of changes) if (doc.title.endsWith(` · ${tag}`)) accepted.add(doc.id);
        seeder.absorb(changes);
        return accepted.size >= total;
      }, timeoutMs);
      const app: W2Sample = { ms: performance.now() - reconnected, requests: pushes.n, inFlightMs: pushes.inFlightMs };
      const base: W2Sample = await floorRun(browser, floor.url, seeder, tag, timeoutMs);
      progress(`W2 ${backend} ${total} ${label}: app ${Math.round(app.ms)} ms (${app.requests} pushes, ${Math.round(pushes.inFlightMs)} ms in flight), floor ${Math.round(base.ms)} ms (${base.requests} pushes)`);
      if (i >= 0) {
        out.app.push(app);
        out.floor.push(base);
      }
    }
    return out;
  } finally {
    await client.close();
    await floor.dispose();
  }
}

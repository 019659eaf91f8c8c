/**
 * The PouchDB peer for W1, W2 and W3: pouchdb-browser in Chromium (IndexedDB adapter)
 * replicating with express-pouchdb (LevelDB on disk), seeded with the same task
 * documents (the workspace's fields, `_id` = id). It has no backends of its own, so it
 * runs once per bench run, beside Fieldbook's backends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '../e2e/harness';
import type { PouchApi } from './pages/pouchdb';
import { openBenchPage } from './lib/bench-page';
import { waitResult } from './lib/browser';
import { startChildServer } from './lib/child-server';
import { progress } from './lib/log';
import { makeTask } from './lib/seed';
import { uuidv7 } from '../src/shared/uuid';
import { W2_MAX_RUNS, type W2Sample } from './w2-push-offline-edits';
import { w3Summary, type W3Results } from './w3-live-propagation';

/** The app's batch sizes, so both move the same documents per request. */
const PULL_BATCH = 500;
const PUSH_BATCH = 200;
const SEED_BATCH = 1000;
const WARM_UP_EDITS = 20;

export interface PeerResults {
  readonly w1: { documents: number; samples: { ms: number }[] }[];
  w2?: { documents: number; samples: W2Sample[] };
  w3?: W3Results;
}

export interface PeerPlan {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly w1: boolean;
  readonly w2: boolean;
  readonly w3: boolean;
  readonly w3Edits: number;
}

function pouch<K extends keyof PouchApi>(page: Page, method: K, ...args: Parameters<PouchApi[K]>): Promise<Awaited<ReturnType<PouchApi[K]>>> {
  return page.evaluate(
    ([name, list]) => (window as unknown as { __POUCH__: Record<string, (...a: unknown[]) => unknown> }).__POUCH__[name]!(...list),
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<PouchApi[K]>>>;
}

async function send(url: string, method: string, body?: unknown): Promise<void> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`PouchDB server answered ${res.status} to ${method} ${url}: ${await res.text()}`);
}

/** Fills `out` as figures come in (so a stopped run keeps them). */
export async function runPouchPeer(browser: Browser, plan: PeerPlan, out: PeerResults): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fieldbook-pouchdb-'));
  const server = await startChildServer('bench/servers/pouchdb.ts', { DATA_DIR: dataDir });
  const remote = `${server.url}/tasks`;
  const listId = uuidv7();
  let seeded = 0;
  const device = async (options: object = {}) => {
    const context = await browser.newContext();
    const page = await openBenchPage(context, server.url, 'pouchdb.ts', { remote, pullBatchSize: PULL_BATCH, pushBatchSize: PUSH_BATCH, ...options });
    return { context, page };
  };
  try {
    await send(remote, 'PUT');
    for (const size of plan.sizes) {
      for (; seeded < size; seeded += SEED_BATCH) {
        const docs = Array.from({ length: Math.min(SEED_BATCH, size - seeded) }, (_, i) => {
          const task = makeTask(listId, seeded + i);
          return { _id: task.id, ...task };
        });
        await send(`${remote}/_bulk_docs`, 'POST', { docs });
      }
      progress(`PouchDB: seeded ${size} tasks`);
      const timeoutMs = Math.max(60_000, size * 10);
      if (plan.w1) {
        const samples: { ms: number }[] = [];
        out.w1.push({ documents: size, samples });
        // At 100k one PouchDB pull takes minutes: one run, to stay within the bench's time box.
        const runs = size >= 100_000 ? 1 : plan.runs;
        for (let i = size === plan.sizes[0] ? -1 : 0; i < runs; i++) {
          const { context, page } = await device({ pullOnLoad: true });
          try {
            const { ms, held } = await waitResult<{ ms: number; held: number }>(page, timeoutMs);
            if (held < size) throw new Error(`PouchDB pulled ${held} of ${size}`);
            progress(`W1 PouchDB ${size} ${i < 0 ? 'warm-up' : `run ${i + 1}`}: ${Math.round(ms)} ms`);
            if (i >= 0) samples.push({ ms });
          } finally {
            await context.close();
          }
        }
      }
      if (plan.w2 && size === plan.sizes[0]) {
        const { context, page } = await device();
        try {
          await pouch(page, 'pull');
          const samples: W2Sample[] = [];
          for (let i = -1; i < Math.min(plan.runs, W2_MAX_RUNS); i++) {
            // Not replicating while editing: PouchDB's equivalent of being offline.
            const edited = await pouch(page, 'editAll', `w2-${i + 1}`);
            if (edited !== size) throw new Error(`PouchDB edited ${edited} of ${size}`);
            const ms = await pouch(page, 'push');
            progress(`W2 PouchDB ${size} ${i < 0 ? 'warm-up' : `run ${i + 1}`}: ${Math.round(ms)} ms`);
            if (i >= 0) samples.push({ ms, requests: Math.ceil(size / PUSH_BATCH) });
          }
          out.w2 = { documents: size, samples };
        } finally {
          await context.close();
        }
      }
      if (plan.w3 && size === plan.sizes[0]) out.w3 = await pouchW3(device, size, plan.w3Edits);
    }
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function pouchW3(device: () => Promise<{ context: { close(): Promise<void> }; page: Page }>, size: number, edits: number): Promise<W3Results> {
  const [a, b] = [await device(), await device()];
  try {
    for (const d of [a, b]) {
      await pouch(d.page, 'pull');
      await pouch(d.page, 'live');
    }
    await waitFor('PouchDB B holding every task', async () => (await pouch(b.page, 'count')) >= size);
    const out: W3Results = { documents: size, latenciesMs: [], localWriteMs: [] };
    for (let i = 0; i < WARM_UP_EDITS + edits; i++) {
      const tag = `w3-${i}`;
      const { startedAt, writtenAt } = await pouch(a.page, 'editOne', i, tag);
      const arrived = await b.page.waitForFunction(
        (t) => (window as unknown as { __POUCH__: PouchApi }).__POUCH__.arrival(t),
        tag, { polling: 5, timeout: 15_000 },
      );
      const arrivedAt = (await arrived.jsonValue()) as number;
      if (i >= WARM_UP_EDITS) {
        out.latenciesMs.push(arrivedAt - startedAt);
        out.localWriteMs.push(writtenAt - startedAt);
      }
    }
    const s = w3Summary(out.latenciesMs);
    progress(`W3 PouchDB ${edits} edits A → B: p50 ${Math.round(s.p50)} ms, p95 ${Math.round(s.p95)} ms, p99 ${Math.round(s.p99)} ms`);
    return out;
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
}

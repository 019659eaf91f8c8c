/**
 * W3: live propagation between two devices. Two browser contexts (two members of the
 * workspace, each with the built app synced); A edits one task at a time, and each edit
 * is timed from A's local write until B's local database holds it (both timestamps from
 * the same browser process's clock). The next edit starts once the previous one arrived.
 */
import type { Browser } from 'playwright-core';
import type { AppDbApi } from './pages/app-db';
import { appDb, openSyncedApp } from './lib/app-client';
import { FeedCursor } from './lib/feed-cursor';
import { progress } from './lib/log';
import { quantile } from './lib/stats';
import type { Seeder } from './lib/seed';

/** Edits before the timed ones (live streams connected, code paths warm). */
const WARM_UP_EDITS = 20;
const ARRIVAL_TIMEOUT_MS = 15_000;

export interface W3Results {
  readonly documents: number;
  /** A's write to B's database, per edit, in order. */
  readonly latenciesMs: number[];
  /** How long A's local write itself took, per edit. */
  readonly localWriteMs: number[];
}

export const w3Summary = (ms: readonly number[]) => ({ p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99) });

export async function runW3(browser: Browser, url: string, seeder: Seeder, edits: number): Promise<W3Results> {
  const total = seeder.tasks.length;
  if (total < edits + WARM_UP_EDITS) throw new Error(`W3 needs ${edits + WARM_UP_EDITS} tasks, the workspace holds ${total}`);
  const cursor = new FeedCursor(url);
  await cursor.drain();
  const [a, b] = [await openSyncedApp(browser, url, total), await openSyncedApp(browser, url, total)];
  const out: W3Results = { documents: total, latenciesMs: [], localWriteMs: [] };
  try {
    for (let i = 0; i < WARM_UP_EDITS + edits; i++) {
      const tag = `w3-${i}`;
      const { startedAt, writtenAt } = await appDb(a.db, 'editOne', i, tag);
      const arrived = await b.db.waitForFunction(
        (t) => (window as unknown as { __APP_DB__: AppDbApi }).__APP_DB__.arrival(t),
        tag, { polling: 5, timeout: ARRIVAL_TIMEOUT_MS },
      );
      const arrivedAt = (await arrived.jsonValue()) as number;
      if (i >= WARM_UP_EDITS) {
        out.latenciesMs.push(arrivedAt - startedAt);
        out.localWriteMs.push(writtenAt - startedAt);
      }
    }
    const s = w3Summary(out.latenciesMs);
    progress(`W3 ${edits} edits A → B: p50 ${Math.round(s.p50)} ms, p95 ${Math.round(s.p95)} ms, p99 ${Math.round(s.p99)} ms`);
    seeder.absorb(await cursor.drain());
    return out;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

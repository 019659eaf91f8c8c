/**
 * Gap-free pull under concurrent writers, on real PostgreSQL (PGlite runs one
 * transaction at a time, so it cannot interleave commits at all).
 *
 * 16 writers push through the real store while every transaction is stretched by
 * random pauses (before each statement and before COMMIT), and a puller follows the
 * workspace by checkpoint the whole time, exactly as a client does. At the end it must
 * have seen every committed document.
 *
 * The control: the same writers and the same puller, but the writers stamp their rows
 * with a plain sequence drawn at the start of the transaction (the "naive cursor"). A
 * slow transaction then commits a value below one the puller has already passed, and
 * the test counts those skipped documents: it must find some, proving it sees the bug
 * the workspace row lock prevents (see `sql-store.ts`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, newTask, testConfig, type TestDatabase } from '../test-support';
import { uuidv7 } from '../../src/shared/uuid';
import type { SqlDriver, SqlExecutor } from './driver';
import { openPgDriver } from './pg-driver';
import { SqlStore } from './sql-store';
import type { Checkpoint } from './store';

const WRITERS = 16;
const WRITES_PER_WRITER = 12;
const GAP_WORKSPACE = '00000000-0000-7000-8000-00000000a001';
const NAIVE_WORKSPACE = '00000000-0000-7000-8000-00000000a002';

const pause = (maxMs: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs));

/** The driver with every transaction stretched by random pauses, so commits interleave. */
function withRandomDurations(driver: SqlDriver): SqlDriver {
  return {
    ...driver,
    transaction: (fn) => driver.transaction(async (tx) => {
      const slow: SqlExecutor = {
        query: async (sql, params) => { await pause(4); return tx.query(sql, params); },
        exec: (sql) => tx.exec(sql),
      };
      const result = await fn(slow);
      await pause(15);
      return result;
    }),
  };
}

interface Run { committed: Set<string>; seen: Set<string> }

/**
 * Runs the writers while pulling continuously by checkpoint, then drains once more
 * after the last commit. Returns what was committed and what the puller saw.
 */
async function writeWhilePulling(store: SqlStore, workspaceId: string, write: () => Promise<string>): Promise<Run> {
  const committed = new Set<string>();
  const seen = new Set<string>();
  let checkpoint: Checkpoint | null = null;
  const pullOnce = async () => {
    for (;;) {
      const page = await store.pull('tasks', workspaceId, checkpoint, 20);
      for (const doc of page.documents) seen.add(doc.id);
      checkpoint = page.checkpoint;
      if (page.documents.length < 20) return;
    }
  };
  let writing = true;
  const puller = (async () => {
    while (writing) {
      await pullOnce();
      await pause(2);
    }
  })();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (let i = 0; i < WRITES_PER_WRITER; i++) committed.add(await write());
  }));
  writing = false;
  await puller;
  await pullOnce();
  return { committed, seen };
}

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe('gap-free pull on postgres', () => {
  let database: TestDatabase;
  let driver: SqlDriver;
  let store: SqlStore;

  before(async () => {
    database = await postgres.create();
    driver = withRandomDurations(await openPgDriver(testConfig(database).databaseUrl!));
    store = await SqlStore.open(driver, { defaultWorkspaceId: GAP_WORKSPACE });
    await store.ensureWorkspace(NAIVE_WORKSPACE, 'Naive cursor');
    await driver.exec('CREATE SEQUENCE naive_change_seq');
  });
  after(async () => {
    await store?.close();
    await database?.dispose();
  });

  it(`a puller by checkpoint sees every change of ${WRITERS} concurrent writers`, async () => {
    const run = await writeWhilePulling(store, GAP_WORKSPACE, async () => {
      const task = newTask({ workspaceId: GAP_WORKSPACE });
      const result = await store.push('tasks', GAP_WORKSPACE, [{ newDocumentState: task }], null);
      assert.equal(result.written, 1);
      return task['id'] as string;
    });
    const skipped = [...run.committed].filter((id) => !run.seen.has(id));
    assert.equal(run.committed.size, WRITERS * WRITES_PER_WRITER);
    assert.deepEqual(skipped, [], 'no committed change may be skipped');
  });

  it('the same puller over a plain sequence cursor skips changes (the test sees the bug)', async () => {
    const run = await writeWhilePulling(store, NAIVE_WORKSPACE, () => driver.transaction(async (tx) => {
      // The naive writer: its position is drawn when the transaction starts, not when it commits.
      const [row] = await tx.query<{ seq: string }>("SELECT nextval('naive_change_seq') AS seq");
      const task = newTask({ id: uuidv7(), workspaceId: NAIVE_WORKSPACE });
      await tx.query(
        `INSERT INTO documents (collection, id, workspace_id, revision, updated_at, deleted, change_seq, data)
         VALUES ('tasks', $1, $2, 1, now(), false, $3, $4::jsonb)`,
        [task['id'], NAIVE_WORKSPACE, row!.seq, JSON.stringify(task)],
      );
      return task['id'] as string;
    }));
    const skipped = [...run.committed].filter((id) => !run.seen.has(id));
    assert.equal(run.committed.size, WRITERS * WRITES_PER_WRITER);
    assert.ok(skipped.length > 0, `the naive cursor should skip changes; it skipped ${skipped.length}`);
    console.log(`naive cursor skipped ${skipped.length} of ${run.committed.size} committed changes`);
  });
});

/**
 * W6: cost growth. The server-side pull of the last 10 changes, timed over HTTP, when the
 * workspace holds few documents and when it holds many; the ratio should stay near 1.
 */
import { median } from './lib/stats';
import { gql, TASK_FIELDS, WORKSPACE_ID, type Seeder } from './lib/seed';

/** Greater than every UUID: a checkpoint `{ seq: m, id: MAX_ID }` means "after seq m". */
export const MAX_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const REPS = 40;

const pullQuery = (withRemaining: boolean) => `query PullTasks($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) { documents { ${TASK_FIELDS} } checkpoint { seq id }${withRemaining ? ' remaining' : ''} }
}`;

type Batch = { pullTasks: { documents: unknown[] } };

async function changesAfter(url: string, seq: number, limit: number): Promise<number> {
  const data = await gql<Batch>(url, pullQuery(false), { workspaceId: WORKSPACE_ID, checkpoint: { seq, id: MAX_ID }, limit });
  return data.pullTasks.documents.length;
}

/** The workspace's newest change seq among tasks, found with a few one-document pulls. */
export async function newestSeq(url: string): Promise<number> {
  let hi = 1;
  while ((await changesAfter(url, hi, 1)) > 0) hi *= 2;
  let lo = 0;
  // Invariant: changes exist after lo, none after hi.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await changesAfter(url, mid, 1)) > 0) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface W6Point {
  readonly documents: number;
  /** Median ms of the pull of the last 10 changes (a live catch-up page). */
  readonly pullMs: number;
  /** The same pull as the app's first page of a run, which also asks how many remain. */
  readonly pullWithRemainingMs: number;
}

/** Makes 10 fresh changes (one push) and times pulling exactly them. */
export async function measurePull10(url: string, seeder: Seeder): Promise<W6Point> {
  await seeder.edit(10, seeder.tasks.length - 10);
  const seq = await newestSeq(url);
  const variables = { workspaceId: WORKSPACE_ID, checkpoint: { seq: seq - 1, id: MAX_ID }, limit: 500 };
  const time = async (query: string) => {
    const samples: number[] = [];
    for (let i = -5; i < REPS; i++) {
      const t = performance.now();
      const data = await gql<Batch>(url, query, variables);
      if (data.pullTasks.documents.length !== 10) throw new Error(`W6 pulled ${data.pullTasks.documents.length} changes, expected 10`);
      if (i >= 0) samples.push(performance.now() - t);
    }
    return median(samples);
  };
  return { documents: seeder.tasks.length, pullMs: await time(pullQuery(false)), pullWithRemainingMs: await time(pullQuery(true)) };
}

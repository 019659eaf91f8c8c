/**
 * Reads the server's task change feed from a checkpoint on, as a client's pull would:
 * the server's own answer to "which writes has it accepted since".
 */
import type { TaskDoc, WireDoc } from '../../src/shared/collections';
import { gql, TASK_FIELDS, WORKSPACE_ID } from './seed';

const PULL = `query PullTasks($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) { documents { ${TASK_FIELDS} } checkpoint { seq id } }
}`;
const PAGE = 1000;

type Checkpoint = { seq: number; id: string } | null;

export class FeedCursor {
  private checkpoint: Checkpoint = null;

  constructor(private readonly url: string) {}

  /** Every change since the last call (the whole workspace on the first). */
  async drain(): Promise<WireDoc<TaskDoc>[]> {
    const out: WireDoc<TaskDoc>[] = [];
    for (;;) {
      const { pullTasks } = await gql<{ pullTasks: { documents: WireDoc<TaskDoc>[]; checkpoint: Checkpoint } }>(
        this.url, PULL, { workspaceId: WORKSPACE_ID, checkpoint: this.checkpoint, limit: PAGE });
      out.push(...pullTasks.documents);
      if (pullTasks.checkpoint) this.checkpoint = pullTasks.checkpoint;
      if (pullTasks.documents.length < PAGE) return out;
    }
  }
}

import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { RxReplicationWriteToMasterRow } from 'rxdb';
import { DEFAULT_WORKSPACE_ID, type ListDoc, type TaskDoc } from '../../shared/collections';
import { createFieldbookDatabase, type FieldbookDatabase } from './database';
import { purgeWorkspace } from './purge-workspace';
import { until } from '../testing/test-database';

const CREW_B = 'ws-crew-b';
let counter = 0;

function list(id: string, workspaceId: string): ListDoc {
  return { id, workspaceId, revision: 1, updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: null, name: id, archived: false, createdAt: '2026-01-01T00:00:00.000Z' };
}

function task(id: string, workspaceId: string, listId: string, title = id): TaskDoc {
  return {
    id, workspaceId, revision: 1, updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: null, listId, title, notes: '',
    status: 'todo', priority: 'none', dueAt: null, assigneeId: null, createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('purgeWorkspace', () => {
  let db: FieldbookDatabase;
  let localWrites: string[];

  beforeEach(async () => {
    localWrites = [];
    counter += 1;
    db = await createFieldbookDatabase(`fieldbook-purge-spec-${Date.now()}-${counter}`, { onLocalWrite: (w) => localWrites.push(w.docId) });
  });

  afterEach(() => db.remove());

  async function stored(collection: 'lists' | 'tasks', ids: string[]): Promise<{ id: string; _deleted: boolean }[]> {
    return (await db[collection].storageInstance.findDocumentsById(ids, true)) as unknown as { id: string; _deleted: boolean }[];
  }

  it('removes the workspace\'s documents and tombstones from storage, writes nothing the outbox sees, keeps other workspaces', async () => {
    await db.lists.bulkInsert([list('b-list', CREW_B), list('home-list', DEFAULT_WORKSPACE_ID)]);
    await db.tasks.bulkInsert([task('b-1', CREW_B, 'b-list'), task('b-2', CREW_B, 'b-list'), task('home-1', DEFAULT_WORKSPACE_ID, 'home-list'), task('home-2', DEFAULT_WORKSPACE_ID, 'home-list')]);
    await (await db.tasks.findOne('b-2').exec())!.remove();
    // An unpushed deletion in another workspace must survive the purge.
    await (await db.tasks.findOne('home-2').exec())!.remove();
    const shown: string[][] = [];
    const subscription = db.tasks.find({ selector: { workspaceId: CREW_B } }).$.subscribe((docs) => shown.push(docs.map((d) => d.id)));
    await until(() => shown.at(-1)?.join() === 'b-1');
    localWrites.length = 0;

    const result = await purgeWorkspace(db, CREW_B);

    expect(result).toEqual({ lists: 1, tasks: 2, comments: 0 });
    expect(localWrites).toEqual([]);
    expect(await stored('tasks', ['b-1', 'b-2'])).toEqual([]);
    expect(await stored('lists', ['b-list'])).toEqual([]);
    await until(() => shown.at(-1)?.length === 0);
    const home = await stored('tasks', ['home-1', 'home-2']);
    expect(home.map((d) => [d.id, d._deleted]).sort()).toEqual([['home-1', false], ['home-2', true]]);
    expect((await stored('lists', ['home-list'])).length).toBe(1);
    subscription.unsubscribe();
  });

  it('lets a new replication of the workspace (a re-invite) pull it again from scratch and push nothing', async () => {
    const master = [task('b-1', CREW_B, 'b-list', 'Pump'), task('b-2', CREW_B, 'b-list', 'Valve')];
    const pushed: RxReplicationWriteToMasterRow<TaskDoc>[] = [];
    const replicate = () => replicateRxCollection<TaskDoc, { done: boolean }>({
      collection: db.tasks,
      replicationIdentifier: `purge-spec-${CREW_B}`,
      live: true,
      waitForLeadership: false,
      // The master's documents, all in one page; the tasks are this workspace's only ones.
      pull: { handler: async (checkpoint) => ({ documents: checkpoint ? [] : master.map((d) => ({ ...d, _deleted: false })), checkpoint: { done: true } }) },
      push: { handler: async (rows) => { pushed.push(...rows); return []; } },
    });
    const first = replicate();
    await first.awaitInSync();
    // Local work after the last sync: an edit and a deletion the master never saw.
    await (await db.tasks.findOne('b-1').exec())!.incrementalPatch({ title: 'Pump, mine' });
    await first.awaitInSync();
    pushed.length = 0;
    await first.pause();
    await (await db.tasks.findOne('b-2').exec())!.remove();

    await first.remove();
    await purgeWorkspace(db, CREW_B);
    expect(await stored('tasks', ['b-1', 'b-2'])).toEqual([]);

    const second = replicate();
    await second.awaitInSync();
    const docs = await db.tasks.find().exec();
    expect(docs.map((d) => [d.id, d.title]).sort()).toEqual([['b-1', 'Pump'], ['b-2', 'Valve']]);
    expect(pushed).toEqual([]);
    await second.cancel();
  });
});

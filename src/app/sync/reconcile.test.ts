/**
 * Reconciliation planning against the real server (in-process yoga + PGlite): a local
 * copy that diverged (a missing document, a stale revision, a document the server no
 * longer has) gets exactly the repairs it needs, in the buckets that differ only, and
 * unpushed local changes are left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer, type FieldbookServer } from '../../../server/server';
import { BACKENDS, edited, newTask, signUpUser, testConfig, type TestDatabase, WORKSPACE } from '../../../server/test-support';
import type { CollectionName } from '../../shared/collections';
import { planRepair } from './reconcile';
import { bucketOf } from '../../shared/digest';

let database: TestDatabase;
let server: FieldbookServer;
let endpoint: string;
/** A member of the workspace: the digest and bucket pulls need one. */
let authorization: string;

before(async () => {
  database = await BACKENDS[0]!.create();
  server = await buildServer(testConfig(database));
  const { url } = await server.start();
  endpoint = `${url}/graphql`;
  authorization = `Bearer ${(await signUpUser(url)).accessToken}`;
});
after(async () => {
  await server.stop();
  await database.dispose();
});

type Doc = Record<string, unknown> & { id: string; revision: number };

function source(local: Partial<Record<CollectionName, Doc[]>>, pending: string[] = []) {
  return {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    endpoint,
    headers: { 'x-fieldbook-client': 'test', authorization },
    workspaceId: WORKSPACE,
    localDocuments: async (collection: CollectionName) => local[collection] ?? [],
    pendingIds: () => new Set(pending),
  };
}

describe('planRepair', () => {
  it('reports a match when the local copy equals the server', async () => {
    const tasks = Array.from({ length: 30 }, () => newTask());
    await server.store.push('tasks', WORKSPACE, tasks.map((t) => ({ newDocumentState: t })), null);
    const live = (await server.store.pull('tasks', WORKSPACE, null, 1000)).documents as Doc[];
    const plan = await planRepair(source({ tasks: live }));
    assert.equal(plan.differing, 0);
    assert.ok(plan.buckets > 0);
    assert.equal(plan.repairs.size, 0);
  });

  it('repairs only what differs and leaves pending local changes alone', async () => {
    const live = (await server.store.pull('tasks', WORKSPACE, null, 1000)).documents as Doc[];
    const [missing, stale, changedOnServer] = [live[0]!, live[1]!, live[2]!];
    await server.store.push('tasks', WORKSPACE, [{ assumedMasterState: changedOnServer, newDocumentState: edited(changedOnServer, { title: 'Newer' }) }], null);
    const gone = { ...newTask({ title: 'Gone from the server' }), revision: 3 } as Doc;
    const mine = { ...newTask({ title: 'Not pushed yet' }) } as Doc;
    const local = [
      ...live.filter((d) => d.id !== missing.id).map((d) => (d.id === stale.id ? { ...d, revision: 0, title: 'Old' } : d)),
      gone,
      mine,
    ];

    const plan = await planRepair(source({ tasks: local }, [mine.id]));
    const repairs = new Map((plan.repairs.get('tasks') ?? []).map((d) => [d['id'], d]));
    assert.equal(repairs.get(missing.id)?.['revision'], 1, 'the missing document comes from the server');
    assert.equal(repairs.get(stale.id)?.['revision'], 1, 'the stale one is replaced by the server version');
    assert.equal(repairs.get(changedOnServer.id)?.['title'], 'Newer');
    assert.equal(repairs.get(gone.id)?.['deleted'], true, 'a document the server no longer has is removed');
    assert.equal(repairs.has(mine.id), false, 'an unpushed local document is left alone');
    assert.equal(repairs.size, 4);
    const touched = new Set([missing.id, stale.id, changedOnServer.id, gone.id].map(bucketOf));
    assert.equal(plan.differing, touched.size, 'only the buckets needing repairs count as repaired ranges');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { onLocalWrite, onNeedsReview, onRejected, type OutboxEntry } from '../sync/queue/outbox-entry';
import { exportRecovered, fallbackWorkspace, hasLostAccess, lostAccessMessage, recoverPending, type LocalVersionOf } from './lost-access';
import type { WorkspaceInfo } from './workspace-context';

const crewB: WorkspaceInfo = { id: 'ws-b', name: 'Crew B', role: 'member' };
const home: WorkspaceInfo = { id: 'default', name: 'Default', role: 'member' };
const other: WorkspaceInfo = { id: 'ws-c', name: 'Crew C', role: 'viewer' };

function pending(docId: string, patch: { deleted?: boolean; isInsert?: boolean } = {}): OutboxEntry {
  return onLocalWrite(undefined, { collection: 'tasks', docId, label: docId, revision: 2, deleted: patch.deleted ?? false, isInsert: patch.isInsert ?? false }, 1_000);
}

describe('lost access', () => {
  it('is lost only when the refreshed workspaces no longer include the workspace', () => {
    assert.equal(hasLostAccess('ws-b', [home, other]), true);
    assert.equal(hasLostAccess('ws-b', [home, crewB]), false, 'a FORBIDDEN for another reason purges nothing');
  });

  it('leaves for the default workspace when it is still theirs, else the first, else nowhere', () => {
    assert.equal(fallbackWorkspace([other, home], 'default')?.id, 'default');
    assert.equal(fallbackWorkspace([other], 'default')?.id, 'ws-c');
    assert.equal(fallbackWorkspace([], 'default'), null);
  });

  it('recovers every pending change of the workspace with its local version: creates, edits, deletes, reviews, refusals', async () => {
    const versions = new Map<string, Record<string, unknown>>([
      ['created', { id: 'created', workspaceId: 'ws-b', title: 'New pump', deleted: false }],
      ['edited', { id: 'edited', workspaceId: 'ws-b', title: 'Pump, fixed', deleted: false }],
      ['deleted', { id: 'deleted', workspaceId: 'ws-b', title: 'Old pump', deleted: true }],
      ['elsewhere', { id: 'elsewhere', workspaceId: 'default', title: 'Not in Crew B', deleted: false }],
    ]);
    const localVersionOf: LocalVersionOf = async (_collection, id) => versions.get(id) ?? null;
    const review = { reasons: [{ field: 'title', reason: 'same-field' }], base: null, mine: { id: 'reviewed', workspaceId: 'ws-b', title: 'Mine' }, theirs: { title: 'Theirs' } };
    const rejection = { code: 'LIST_ARCHIVED', message: 'archived', fields: [], mine: { id: 'refused', workspaceId: 'ws-b', title: 'Refused' } };
    const entries = [
      pending('created', { isInsert: true }), pending('edited'), pending('deleted', { deleted: true }), pending('elsewhere'),
      onNeedsReview(pending('reviewed'), 'title changed on both sides', review), onRejected(pending('refused'), rejection),
    ];

    const recovered = await recoverPending(entries, localVersionOf, crewB, 5_000);

    assert.deepEqual(recovered.map((r) => [r.entry.docId, r.entry.operation, r.entry.state]), [
      ['created', 'create', 'pending'], ['edited', 'update', 'pending'], ['deleted', 'delete', 'pending'],
      ['reviewed', 'update', 'review'], ['refused', 'update', 'rejected'],
    ]);
    assert.ok(recovered.every((r) => r.workspaceName === 'Crew B' && r.reason === 'NOT_A_MEMBER' && r.recoveredAt === 5_000));
    assert.equal(recovered.find((r) => r.entry.docId === 'edited')?.localVersion?.['title'], 'Pump, fixed');
    assert.equal(recovered.find((r) => r.entry.docId === 'deleted')?.localVersion?.['deleted'], true);
    assert.equal(recovered.find((r) => r.entry.docId === 'refused')?.localVersion?.['title'], 'Refused');
    assert.equal(recovered[0]?.key, 'ws-b:tasks:created');
  });

  it('keeps in the outbox an entry whose version names no workspace (nothing is dropped on a guess)', async () => {
    const recovered = await recoverPending([pending('orphan')], async () => null, crewB, 0);
    assert.deepEqual(recovered, []);
  });

  it('tells the person what happened and where their work is', () => {
    assert.equal(lostAccessMessage('Crew B', 3), 'You were removed from Crew B. Your 3 unsynced changes are kept under Recovered work.');
    assert.equal(lostAccessMessage('Crew B', 1), 'You were removed from Crew B. Your 1 unsynced change is kept under Recovered work.');
    assert.equal(lostAccessMessage('Crew B', 0), 'You were removed from Crew B. None of your changes were waiting to sync.');
  });

  it('exports recovered work as JSON with each local version', async () => {
    const [record] = await recoverPending([pending('edited')], async () => ({ id: 'edited', workspaceId: 'ws-b', title: 'Pump, fixed' }), crewB, Date.UTC(2026, 0, 2));
    const exported = JSON.parse(exportRecovered([record!], new Date(Date.UTC(2026, 0, 3)))) as { exportedAt: string; records: Record<string, unknown>[] };
    assert.equal(exported.exportedAt, '2026-01-03T00:00:00.000Z');
    assert.deepEqual(exported.records[0], {
      workspaceId: 'ws-b', workspaceName: 'Crew B', reason: 'NOT_A_MEMBER', recoveredAt: '2026-01-02T00:00:00.000Z',
      collection: 'tasks', id: 'edited', label: 'edited', operation: 'update', state: 'pending', baseRevision: 1,
      localVersion: { id: 'edited', workspaceId: 'ws-b', title: 'Pump, fixed' },
    });
  });
});

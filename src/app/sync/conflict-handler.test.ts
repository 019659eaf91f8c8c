import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { revisionAwareConflictHandler } from './conflict-handler';

const task = {
  id: 't1', workspaceId: 'w', revision: 2, updatedAt: '2026-01-01T00:00:00Z', updatedBy: null, listId: 'l1',
  title: 'Fix pump', notes: '', status: 'todo', priority: 'none', dueAt: null, assigneeId: null,
  createdAt: '2026-01-01T00:00:00Z', _deleted: false,
};

describe('revisionAwareConflictHandler', () => {
  const handler = revisionAwareConflictHandler<typeof task>('tasks');

  it('treats an older server echo as already known, so it cannot roll the local document back', () => {
    const local = { ...task, revision: 4, notes: 'newest' };
    const staleEcho = { ...task, revision: 3, notes: 'older' };
    assert.equal(handler.isEqual(staleEcho, local, 'downstream-check-if-equal-1'), true);
  });

  it('sees a newer server state as different', () => {
    const local = { ...task, revision: 4 };
    const newer = { ...task, revision: 5, notes: 'remote' };
    assert.equal(handler.isEqual(newer, local, 'downstream-check-if-equal-1'), false);
  });

  it('compares states exactly everywhere else', () => {
    assert.equal(handler.isEqual({ ...task, revision: 3 }, { ...task, revision: 4 }, 'upstream-check-if-equal'), false);
    assert.equal(handler.isEqual({ ...task }, { ...task }, 'upstream-check-if-equal'), true);
  });

  it('resolves a stale push by merging different fields on top of the server state', async () => {
    const resolved = await handler.resolve({
      assumedMasterState: task,
      newDocumentState: { ...task, revision: 3, notes: 'mine' },
      realMasterState: { ...task, revision: 3, status: 'done' },
    }, 'replication-resolve-conflict');
    assert.equal(resolved.notes, 'mine');
    assert.equal(resolved.status, 'done');
    assert.equal(resolved.revision, 4);
    assert.equal(resolved._deleted, false);
  });

  it('returns the server state untouched when nothing of the local edit survives', async () => {
    const real = { ...task, revision: 3, title: 'Theirs' };
    const reviews: string[] = [];
    const withReview = revisionAwareConflictHandler<typeof task>('tasks', (_c, id, review) => reviews.push(`${id}:${review[0]?.field}`));
    const resolved = await withReview.resolve({
      assumedMasterState: task,
      newDocumentState: { ...task, revision: 3, title: 'Mine' },
      realMasterState: real,
    }, 'replication-resolve-conflict');
    assert.equal(resolved, real);
    assert.deepEqual(reviews, ['t1:title']);
  });

  it('reports a conflict that resolved to the server state with nothing to decide, so its outbox entry can settle', async () => {
    const kept: string[] = [];
    const reporting = revisionAwareConflictHandler<typeof task>('tasks', undefined, undefined, (_c, id, pushed, resolution) => kept.push(`${id}:${pushed}->${resolution.kind}@${resolution.revision}`));
    // The same change made on both sides: nothing of the local edit is left to push.
    const real = { ...task, revision: 4, status: 'done', notes: 'theirs too' };
    const resolved = await reporting.resolve({
      assumedMasterState: task,
      newDocumentState: { ...task, revision: 3, status: 'done' },
      realMasterState: real,
    }, 'replication-resolve-conflict');
    assert.equal(resolved, real);
    assert.deepEqual(kept, ['t1:3->kept-server@4']);
  });

  it('reports a merge with its revision, the local version the outbox waits for now', async () => {
    const seen: string[] = [];
    const reporting = revisionAwareConflictHandler<typeof task>('tasks', undefined, undefined, (_c, id, pushed, resolution) => seen.push(`${id}:${pushed}->${resolution.kind}@${resolution.revision}`));
    // Several offline edits (local revision 6) meet one remote edit (server revision 2).
    await reporting.resolve({
      assumedMasterState: { ...task, revision: 1 },
      newDocumentState: { ...task, revision: 6, notes: 'mine' },
      realMasterState: { ...task, revision: 2, status: 'done' },
    }, 'replication-resolve-conflict');
    assert.deepEqual(seen, ['t1:6->merged@3']);
  });

  it('does not report the server state as kept when fields wait for review', async () => {
    const kept: string[] = [];
    const reporting = revisionAwareConflictHandler<typeof task>('tasks', undefined, undefined, (_c, id, _p, resolution) => kept.push(`${id}:${resolution.kind}`));
    await reporting.resolve({
      assumedMasterState: task,
      newDocumentState: { ...task, revision: 3, title: 'Mine' },
      realMasterState: { ...task, revision: 3, title: 'Theirs' },
    }, 'replication-resolve-conflict');
    assert.deepEqual(kept, []);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDocuments, sameContent } from './merge';
import type { TaskDoc, WireDoc } from './collections';

const base: WireDoc<TaskDoc> = {
  id: 't1', workspaceId: 'w', revision: 3, updatedAt: '2026-01-01T00:00:00Z', updatedBy: null,
  listId: 'l1', title: 'Fix pump', notes: '', status: 'todo', priority: 'none', dueAt: null,
  assigneeId: null, createdAt: '2026-01-01T00:00:00Z', deleted: false,
};
type Task = WireDoc<TaskDoc>;
const edit = (patch: Partial<Task>): Task => ({ ...base, ...patch });

describe('mergeDocuments', () => {
  it('merges edits to different fields without review', () => {
    const mine = edit({ revision: 4, notes: 'bring a wrench' });
    const theirs = edit({ revision: 4, status: 'done', updatedAt: 'later' });
    const result = mergeDocuments('tasks', base, mine, theirs);
    assert.equal(result.merged.notes, 'bring a wrench');
    assert.equal(result.merged.status, 'done');
    assert.equal(result.merged.revision, 5);
    assert.deepEqual(result.review, []);
    assert.equal(result.takesTheirs, false);
  });

  it('lets the later write win on a last-write-wins field', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, priority: 'high' }), edit({ revision: 4, priority: 'low' }));
    assert.equal(result.merged.priority, 'high');
    assert.deepEqual(result.review, []);
  });

  it('sends the same title edited on both sides to review and keeps the server value meanwhile', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, title: 'Mine' }), edit({ revision: 4, title: 'Theirs' }));
    assert.equal(result.merged.title, 'Theirs');
    assert.equal(result.takesTheirs, true);
    assert.deepEqual(result.review, [{ field: 'title', reason: 'same-field' }]);
  });

  it('does not revert a remote change the local side never touched (stale base)', () => {
    const theirs = edit({ revision: 9, title: 'Renamed remotely', dueAt: '2026-02-01' });
    const mine = edit({ revision: 4, assigneeId: 'u2' });
    const result = mergeDocuments('tasks', base, mine, theirs);
    assert.equal(result.merged.title, 'Renamed remotely');
    assert.equal(result.merged.dueAt, '2026-02-01');
    assert.equal(result.merged.assigneeId, 'u2');
    assert.equal(result.merged.revision, 10);
  });

  it('keeps the remote tombstone and flags a local edit as deleted elsewhere', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, title: 'Edited' }), edit({ revision: 4, deleted: true }));
    assert.equal(result.merged.deleted, true);
    assert.deepEqual(result.review, [{ field: 'deleted', reason: 'deleted-elsewhere' }]);
  });

  it('flags a local delete of a remotely edited record as deleted here', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, deleted: true }), edit({ revision: 4, notes: 'x' }));
    assert.equal(result.merged.deleted, false);
    assert.deepEqual(result.review, [{ field: 'deleted', reason: 'deleted-here' }]);
  });

  it('applies a local delete when the remote change touched nothing', () => {
    const theirs = edit({ revision: 4, updatedAt: 'later' });
    const result = mergeDocuments('tasks', base, edit({ revision: 4, deleted: true }), theirs);
    assert.equal(result.merged.deleted, true);
    assert.equal(result.merged.revision, 5);
  });

  it('treats a missing base as both sides having changed every differing field', () => {
    const result = mergeDocuments('tasks', undefined, edit({ status: 'doing', title: 'A' }), edit({ status: 'done', title: 'B' }));
    assert.equal(result.merged.status, 'doing');
    assert.equal(result.merged.title, 'B');
    assert.deepEqual(result.review, [{ field: 'title', reason: 'same-field' }]);
  });
});

describe('sameContent', () => {
  it('ignores revision and server stamps', () => {
    assert.equal(sameContent(base, edit({ revision: 7, updatedAt: 'x', updatedBy: 'u' })), true);
    assert.equal(sameContent(base, edit({ title: 'other' })), false);
  });
});

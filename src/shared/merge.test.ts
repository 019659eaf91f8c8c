import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_POLICY, mergeDocuments, sameContent } from './merge';
import { COLLECTIONS, META_FIELDS, type ListDoc, type TaskDoc, type WireDoc } from './collections';

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

describe('tombstones and missing bases', () => {
  it('keeps a tombstone both sides agree on, without review', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, deleted: true }), edit({ revision: 4, deleted: true, updatedBy: 'u' }));
    assert.equal(result.takesTheirs, true);
    assert.deepEqual(result.review, []);
  });

  it('lets a remote delete stand without review when nothing was edited here', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 3 }), edit({ revision: 4, deleted: true }));
    assert.equal(result.merged.deleted, true);
    assert.deepEqual(result.review, []);
  });

  it('without a base, a remote tombstone still keeps my version for review (deleted elsewhere)', () => {
    const result = mergeDocuments('tasks', undefined, edit({ revision: 1 }), edit({ revision: 2, deleted: true }));
    assert.equal(result.merged.deleted, true);
    assert.deepEqual(result.review, [{ field: 'deleted', reason: 'deleted-elsewhere' }]);
  });

  it('without a base, my delete of a record that exists remotely goes to review (deleted here)', () => {
    const result = mergeDocuments('tasks', undefined, edit({ revision: 2, deleted: true }), edit({ revision: 2 }));
    assert.equal(result.merged.deleted, false);
    assert.deepEqual(result.review, [{ field: 'deleted', reason: 'deleted-here' }]);
  });

  it('merges the settled fields and reviews the rest in one result', () => {
    const result = mergeDocuments('tasks', base, edit({ revision: 4, title: 'Mine', priority: 'high' }), edit({ revision: 4, title: 'Theirs' }));
    assert.equal(result.takesTheirs, false);
    assert.equal(result.merged.title, 'Theirs');
    assert.equal(result.merged.priority, 'high');
    assert.deepEqual(result.review, [{ field: 'title', reason: 'same-field' }]);
  });
});

describe('policy table', () => {
  const content = (name: string) => Object.keys(COLLECTIONS.find((c) => c.name === name)!.schema.properties)
    .filter((f) => !(META_FIELDS as readonly string[]).includes(f) && f !== 'createdAt');

  it('names only real fields, and gives every editable task and list field a policy', () => {
    for (const c of COLLECTIONS) {
      for (const field of Object.keys(FIELD_POLICY[c.name])) assert.ok(field in c.schema.properties, `${c.name}.${field}`);
    }
    assert.deepEqual(Object.keys(FIELD_POLICY.tasks).sort(), content('tasks').sort());
    assert.deepEqual(Object.keys(FIELD_POLICY.lists).sort(), content('lists').sort());
  });

  it('sends a list name to review and lets the later archive flag win', () => {
    const list: WireDoc<ListDoc> = { id: 'l', workspaceId: 'w', revision: 2, updatedAt: 'x', updatedBy: null, name: 'Site', archived: false, createdAt: 'x', deleted: false };
    const result = mergeDocuments('lists', list, { ...list, revision: 3, name: 'Mine', archived: true }, { ...list, revision: 3, name: 'Theirs', archived: false });
    assert.equal(result.merged.archived, true);
    assert.equal(result.merged.name, 'Theirs');
    assert.deepEqual(result.review, [{ field: 'name', reason: 'same-field' }]);
  });

  it('never asks for review on comments (append-only)', () => {
    const comment = { id: 'c', workspaceId: 'w', revision: 1, updatedAt: 'x', updatedBy: null, taskId: 't', body: 'a', createdAt: 'x', deleted: false };
    const result = mergeDocuments('comments', undefined, { ...comment, body: 'mine' }, { ...comment, body: 'theirs' });
    assert.deepEqual(result.review, []);
    assert.equal(result.merged.body, 'theirs');
  });
});

describe('sameContent', () => {
  it('ignores revision and server stamps', () => {
    assert.equal(sameContent(base, edit({ revision: 7, updatedAt: 'x', updatedBy: 'u' })), true);
    assert.equal(sameContent(base, edit({ title: 'other' })), false);
  });
});

/** The push rules as a pure function: refusals typed by code, with the server's truth. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectionByName } from '../../src/shared/collections';
import { edited, newList, newTask, WORKSPACE } from '../test-support';
import { decidePushRow, type RuleContext } from './push-decision';
import type { WireDocument } from './store';

const tasks = collectionByName('tasks')!;
const lists = collectionByName('lists')!;
const comments = collectionByName('comments')!;
const stored = (doc: Record<string, unknown>) => ({ workspaceId: WORKSPACE, document: { ...doc, updatedAt: 'x', updatedBy: null } as WireDocument });
const rules = (patch: Partial<RuleContext> = {}): RuleContext => ({ role: 'member', archivedListIds: new Set(), ...patch });

describe('decidePushRow rules', () => {
  const listId = 'archived-list';
  const archived = rules({ archivedListIds: new Set([listId]) });

  it('refuses adding, editing and deleting a task of an archived list with LIST_ARCHIVED, returning the server state', () => {
    const task = newTask({ listId });
    const insert = decidePushRow(tasks, WORKSPACE, { newDocumentState: task }, undefined, archived);
    assert.equal(insert.kind === 'reject' && insert.rejection.code, 'LIST_ARCHIVED');
    assert.equal(insert.kind === 'reject' && insert.current, undefined);
    for (const change of [{ title: 'edited' }, { deleted: true }]) {
      const update = decidePushRow(tasks, WORKSPACE, { assumedMasterState: task, newDocumentState: edited(task, change) }, stored(task), archived);
      assert.equal(update.kind === 'reject' && update.rejection.code, 'LIST_ARCHIVED');
      assert.equal(update.kind === 'reject' && update.current?.['id'], task['id']);
    }
  });

  it('allows moving a task out of an archived list, a replay, and a tombstone for a task the server never had', () => {
    const task = newTask({ listId });
    const moved = edited(task, { listId: 'live' });
    assert.equal(decidePushRow(tasks, WORKSPACE, { assumedMasterState: task, newDocumentState: moved }, stored(task), archived).kind, 'update');
    assert.equal(decidePushRow(tasks, WORKSPACE, { assumedMasterState: null, newDocumentState: task }, stored(task), archived).kind, 'noop');
    assert.equal(decidePushRow(tasks, WORKSPACE, { newDocumentState: { ...task, deleted: true } }, undefined, archived).kind, 'insert');
  });

  it('refuses a rule-breaking write even when it is stale: "not allowed" wins over "merge"', () => {
    const task = newTask({ listId });
    const server = stored(edited(task, { notes: 'remote' }));
    const decision = decidePushRow(tasks, WORKSPACE, { assumedMasterState: task, newDocumentState: edited(task, { title: 'x' }) }, server, archived);
    assert.equal(decision.kind, 'reject');
  });

  it('lets only owners (un)archive a list; renaming stays open to members', () => {
    const list = newList();
    const archive = { assumedMasterState: list, newDocumentState: edited(list, { archived: true }) };
    for (const [role, kind] of [['owner', 'update'], ['member', 'reject'], ['viewer', 'reject'], [undefined, 'reject']] as const) {
      assert.equal(decidePushRow(lists, WORKSPACE, archive, stored(list), rules({ role })).kind, kind, String(role));
    }
    const insertArchived = decidePushRow(lists, WORKSPACE, { newDocumentState: newList({ archived: true }) }, undefined, rules());
    assert.equal(insertArchived.kind === 'reject' && insertArchived.rejection.fields[0]?.field, 'archived');
    const rename = { assumedMasterState: list, newDocumentState: edited(list, { name: 'New' }) };
    assert.equal(decidePushRow(lists, WORKSPACE, rename, stored(list), rules()).kind, 'update');
  });

  it('keeps comments append-only', () => {
    const comment = { id: 'c1', workspaceId: WORKSPACE, revision: 1, taskId: 't', body: 'hi', createdAt: 'x', deleted: false };
    assert.equal(decidePushRow(comments, WORKSPACE, { newDocumentState: comment }, undefined, rules()).kind, 'insert');
    const edit = decidePushRow(comments, WORKSPACE, { assumedMasterState: comment, newDocumentState: edited(comment, { body: 'changed' }) }, stored(comment), rules());
    assert.equal(edit.kind === 'reject' && edit.rejection.code, 'FORBIDDEN');
    const removal = decidePushRow(comments, WORKSPACE, { assumedMasterState: comment, newDocumentState: edited(comment, { deleted: true }) }, stored(comment), rules());
    assert.equal(removal.kind, 'update');
  });
});

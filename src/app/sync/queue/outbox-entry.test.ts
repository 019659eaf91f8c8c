import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  onAccepted, onDecided, onFailed, onLocalWrite, onNeedsReview, onOffline, onPushStarted, onRebased, onRejected, onResolvedToServer, onRetryScheduled,
  type LocalWrite, type OutboxEntry,
} from './outbox-entry';

const write = (patch: Partial<LocalWrite> = {}): LocalWrite => ({
  collection: 'tasks', docId: 't1', label: 'Fix pump', revision: 1, deleted: false, isInsert: true, ...patch,
});

function created(): OutboxEntry {
  return onLocalWrite(undefined, write(), 100);
}

describe('outbox entry transitions', () => {
  it('a new record is saved offline as a create with no server revision', () => {
    const entry = created();
    assert.equal(entry.state, 'pending');
    assert.equal(entry.operation, 'create');
    assert.equal(entry.baseRevision, null);
    assert.equal(entry.serverRevision, null);
    assert.equal(entry.changedAt, 100);
  });

  it('editing a record the server has not seen yet is still a create', () => {
    const entry = onLocalWrite(created(), write({ revision: 2, isInsert: false }), 200);
    assert.equal(entry.operation, 'create');
    assert.equal(entry.localRevision, 2);
  });

  it('editing a synced record is an update based on its server revision', () => {
    const synced = onAccepted(onPushStarted(created()), 1);
    const entry = onLocalWrite(synced, write({ revision: 2, isInsert: false }), 300);
    assert.equal(entry.operation, 'update');
    assert.equal(entry.baseRevision, 1);
    assert.equal(entry.state, 'pending');
  });

  it('editing a synced record that has no entry is an update based on the revision it replaces', () => {
    const entry = onLocalWrite(undefined, write({ revision: 5, isInsert: false }), 1);
    assert.deepEqual([entry.operation, entry.baseRevision, entry.serverRevision], ['update', 4, 4]);
  });

  it('deleting is a delete', () => {
    const synced = onAccepted(created(), 1);
    assert.equal(onLocalWrite(synced, write({ revision: 2, deleted: true, isInsert: false }), 1).operation, 'delete');
  });

  it('a push going out makes the record syncing', () => {
    assert.equal(onPushStarted(created()).state, 'syncing');
  });

  it('acceptance of the newest version makes it synced at that revision', () => {
    const entry = onAccepted(onPushStarted(created()), 1);
    assert.equal(entry.state, 'synced');
    assert.equal(entry.serverRevision, 1);
    assert.equal(entry.attempts, 0);
  });

  it('acceptance of an older version leaves the newer one pending as an update', () => {
    const edited = onLocalWrite(onPushStarted(created()), write({ revision: 2, isInsert: false }), 5);
    const entry = onAccepted(edited, 1);
    assert.equal(entry.state, 'pending');
    assert.equal(entry.operation, 'update');
    assert.equal(entry.baseRevision, 1);
  });

  it('a transient failure schedules a retry with attempt count, reason and time', () => {
    const entry = onRetryScheduled(onPushStarted(created()), 3, 'server busy (503)', 9000);
    assert.deepEqual([entry.state, entry.attempts, entry.lastError, entry.nextRetryAt], ['retrying', 3, 'server busy (503)', 9000]);
  });

  it('a local edit while retrying keeps the retry state and its attempts', () => {
    const retrying = onRetryScheduled(created(), 2, 'server unreachable', 9000);
    const entry = onLocalWrite(retrying, write({ revision: 2, isInsert: false }), 10);
    assert.deepEqual([entry.state, entry.attempts, entry.localRevision], ['retrying', 2, 2]);
  });

  it('success after retries clears attempts and error', () => {
    const entry = onAccepted(onPushStarted(onRetryScheduled(created(), 4, 'x', 1)), 1);
    assert.deepEqual([entry.state, entry.attempts, entry.lastError, entry.nextRetryAt], ['synced', 0, null, null]);
  });

  it('failure needing the person keeps the reason and the held-back row', () => {
    const row = { assumedMasterState: null, newDocumentState: { id: 't1' } };
    const entry = onFailed(created(), 'sign in to sync', row);
    assert.deepEqual([entry.state, entry.lastError, entry.parked], ['failed', 'sign in to sync', row]);
  });

  it('a refusal is kept with its code and reason', () => {
    const entry = onRejected(created(), { code: 'VALIDATION', message: 'title must not be empty', fields: [{ field: 'title', message: 'title must not be empty' }] });
    assert.equal(entry.state, 'rejected');
    assert.equal(entry.rejection?.code, 'VALIDATION');
  });

  it('review is a state of its own', () => {
    assert.equal(onNeedsReview(created(), 'title changed on both sides').state, 'review');
  });

  it('going offline turns syncing and retrying into saved offline, and leaves other states', () => {
    assert.equal(onOffline(onPushStarted(created())).state, 'pending');
    assert.equal(onOffline(onRetryScheduled(created(), 1, 'x', 1)).state, 'pending');
    assert.equal(onOffline(onRejected(created(), { code: 'FORBIDDEN', message: 'no', fields: [] })).state, 'rejected');
  });

  it('a review waits for the person while the settled part of its merge is pushed and accepted', () => {
    const review = { reasons: [{ field: 'title', reason: 'same-field' }], base: null, mine: { title: 'A' }, theirs: { title: 'B' } };
    const inReview = onNeedsReview(onAccepted(created(), 1), 'title changed on both sides', review);
    const pushed = onPushStarted(inReview);
    assert.equal(pushed.state, 'review');
    const accepted = onAccepted(pushed, 3);
    assert.equal(accepted.state, 'review');
    assert.equal(accepted.serverRevision, 3);
    assert.deepEqual(accepted.review, review);
  });

  it('a refused version stays for the person to decide when the record is edited again and that edit is accepted', () => {
    const synced = onAccepted(onPushStarted(onLocalWrite(undefined, write({ revision: 2, isInsert: false }), 1)), 2);
    const refusal = { code: 'FORBIDDEN' as const, message: 'Only owners archive lists', fields: [], mine: { archived: true }, theirs: { archived: false } };
    const refused = onRejected(onPushStarted(onLocalWrite(synced, write({ revision: 3, isInsert: false }), 2)), refusal);
    const renamed = onLocalWrite(refused, write({ revision: 4, isInsert: false, label: 'Renamed' }), 3);
    assert.deepEqual([renamed.state, renamed.rejection], ['rejected', refusal]);
    const accepted = onAccepted(onPushStarted(renamed), 3);
    assert.deepEqual([accepted.state, accepted.rejection, accepted.serverRevision], ['rejected', refusal, 3]);
    assert.deepEqual([onDecided(accepted).state, onDecided(accepted).rejection], ['pending', null]);
  });

  it('a decision takes the entry out of review or refusal; the write carrying it syncs as usual', () => {
    const rejected = onRejected(created(), { code: 'LIST_ARCHIVED', message: 'archived', fields: [], mine: { title: 'x' }, theirs: null });
    const decided = onDecided(rejected);
    assert.deepEqual([decided.state, decided.rejection, decided.review, decided.lastError], ['pending', null, null, null]);
    const next = onLocalWrite(decided, write({ revision: 2, isInsert: false }), 5);
    assert.equal(next.state, 'pending');
    assert.equal(next.review, null);
  });

  it('a push whose conflict resolved to the server state settles at the server revision', () => {
    const edited = onPushStarted(onLocalWrite(onAccepted(created(), 1), write({ revision: 2, isInsert: false }), 5));
    const settled = onResolvedToServer(edited, 2, 4);
    assert.deepEqual([settled.state, settled.serverRevision], ['synced', 4]);
  });

  it('a conflict resolved to the server state leaves a newer local write, a refusal and a review waiting', () => {
    const edited = onLocalWrite(onAccepted(created(), 1), write({ revision: 2, isInsert: false }), 5);
    const newer = onLocalWrite(onPushStarted(edited), write({ revision: 3, isInsert: false }), 6);
    assert.equal(onResolvedToServer(newer, 2, 4).state, 'pending');
    const refused = onRejected(onPushStarted(edited), { code: 'FORBIDDEN', message: 'Only owners archive lists', fields: [] });
    assert.equal(onResolvedToServer(refused, 2, 4).state, 'rejected');
    const review = onNeedsReview(onPushStarted(edited), 'title changed on both sides');
    assert.equal(onResolvedToServer(review, 2, 4).state, 'review');
  });

  it('a merge of several offline edits onto a newer server version settles when the merge is accepted', () => {
    let entry = onAccepted(created(), 1);
    for (const revision of [2, 3, 4, 5, 6]) entry = onLocalWrite(entry, write({ revision, isInsert: false }), revision);
    const merged = onRebased(onPushStarted(entry), 6, 3);
    assert.equal(merged.localRevision, 3);
    assert.equal(onAccepted(merged, 3).state, 'synced');
  });

  it('a merge leaves a local write made after the pushed version to wait for', () => {
    const entry = onLocalWrite(onPushStarted(onLocalWrite(onAccepted(created(), 1), write({ revision: 2, isInsert: false }), 2)), write({ revision: 3, isInsert: false }), 3);
    assert.equal(onRebased(entry, 2, 5).localRevision, 3);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BehaviorSubject, Subject } from 'rxjs';
import { syncStatus$, type SyncStatus } from './sync-status';
import type { GateState } from './queue/retry-gate';
import { onFailed, onLocalWrite, onRejected, onRetryScheduled, type OutboxEntry } from './queue/outbox-entry';

const entry = (docId: string): OutboxEntry =>
  onLocalWrite(undefined, { collection: 'tasks', docId, label: docId, revision: 1, deleted: false, isInsert: true }, 0);

function harness() {
  const online$ = new BehaviorSubject(true);
  const active$ = new BehaviorSubject(false);
  const progress$ = new Subject<unknown>();
  const gate$ = new BehaviorSubject<GateState>({ online: true, attempts: 0, nextAttemptAt: null, lastError: null, heldReason: null });
  const entries$ = new BehaviorSubject<readonly OutboxEntry[]>([]);
  let clock = 1000;
  const seen: SyncStatus[] = [];
  syncStatus$({ online$, active$, progress$, gate$, entries$ }, () => clock).subscribe((s) => seen.push(s));
  return { online$, active$, progress$, gate$, entries$, last: () => seen[seen.length - 1]!, tick: (ms: number) => (clock += ms) };
}

describe('syncStatus$', () => {
  it('says syncing while replication is active and synced, with the time, when the cycle ends', () => {
    const h = harness();
    h.active$.next(true);
    assert.equal(h.last().phase, 'syncing');
    h.tick(50);
    h.active$.next(false);
    assert.equal(h.last().phase, 'synced');
    assert.equal(h.last().lastSyncedAt, 1050);
  });

  it('counts records saved offline and says offline whatever replication does', () => {
    const h = harness();
    h.online$.next(false);
    h.entries$.next([entry('a'), entry('b')]);
    h.active$.next(true);
    assert.equal(h.last().phase, 'offline');
    assert.equal(h.last().pending, 2);
  });

  it('says retrying with the attempt, the next try and the reason while requests fail', () => {
    const h = harness();
    h.active$.next(true);
    h.gate$.next({ online: true, attempts: 3, nextAttemptAt: 9000, lastError: 'server busy (503)', heldReason: null });
    assert.deepEqual(
      [h.last().phase, h.last().attempts, h.last().nextAttemptAt, h.last().lastError],
      ['retrying', 3, 9000, 'server busy (503)'],
    );
  });

  it('shows the highest attempt count of a retrying record, which survives reloads, even when the gate restarted', () => {
    const h = harness();
    h.gate$.next({ online: true, attempts: 1, nextAttemptAt: 9000, lastError: 'server busy (503)', heldReason: null });
    h.entries$.next([onRetryScheduled(entry('a'), 4, 'server busy (503)', 9000)]);
    assert.equal(h.last().attempts, 4);
  });

  it('does not count a cycle that ended on a failure as synced', () => {
    const h = harness();
    h.active$.next(true);
    h.gate$.next({ online: true, attempts: 1, nextAttemptAt: 2000, lastError: 'server unreachable', heldReason: null });
    h.active$.next(false);
    assert.equal(h.last().lastSyncedAt, null);
  });

  it('says sync failed with the reason when a record needs the person to sign in', () => {
    const h = harness();
    h.entries$.next([onFailed(entry('a'), 'sign in to sync')]);
    assert.deepEqual([h.last().phase, h.last().lastError, h.last().needsAttention], ['failed', 'sign in to sync', 1]);
  });

  it('says sync failed with the hold reason while the gate is held, and pending work stays counted', () => {
    const h = harness();
    h.entries$.next([entry('a')]);
    h.gate$.next({ online: true, attempts: 0, nextAttemptAt: null, lastError: null, heldReason: 'Sign in again to sync' });
    assert.deepEqual([h.last().phase, h.last().lastError, h.last().pending], ['failed', 'Sign in again to sync', 1]);
    h.gate$.next({ online: true, attempts: 0, nextAttemptAt: null, lastError: null, heldReason: null });
    assert.equal(h.last().phase, 'syncing');
  });

  it('counts rejected records as needing attention without stopping the rest', () => {
    const h = harness();
    h.entries$.next([onRejected(entry('a'), { code: 'VALIDATION', message: 'bad', fields: [] })]);
    assert.deepEqual([h.last().phase, h.last().needsAttention, h.last().pending], ['synced', 1, 0]);
  });

  it('keeps the last synced time across going offline', () => {
    const h = harness();
    h.progress$.next({});
    h.online$.next(false);
    assert.deepEqual([h.last().phase, h.last().lastSyncedAt], ['offline', 1000]);
  });
});

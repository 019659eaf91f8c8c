import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BehaviorSubject, Subject } from 'rxjs';
import { syncStatus$, type SyncStatus } from './sync-status';

function harness() {
  const online$ = new BehaviorSubject(true);
  const active$ = new BehaviorSubject(false);
  const error$ = new Subject<Error>();
  const progress$ = new Subject<unknown>();
  let clock = 1000;
  const seen: SyncStatus[] = [];
  syncStatus$({ online$, active$, error$, progress$ }, () => clock).subscribe((s) => seen.push(s));
  return { online$, active$, error$, progress$, seen, last: () => seen[seen.length - 1]!, tick: (ms: number) => (clock += ms) };
}

describe('syncStatus$', () => {
  it('says syncing while replication is active and synced when the cycle ends', () => {
    const h = harness();
    h.active$.next(true);
    assert.equal(h.last().phase, 'syncing');
    h.tick(50);
    h.active$.next(false);
    assert.deepEqual(h.last(), { phase: 'synced', lastSyncedAt: 1050, lastError: null });
  });

  it('says offline whenever the device has no network, whatever replication does', () => {
    const h = harness();
    h.online$.next(false);
    assert.equal(h.last().phase, 'offline');
    h.active$.next(true);
    assert.equal(h.last().phase, 'offline');
  });

  it('reports a failing request with its reason until a later request succeeds', () => {
    const h = harness();
    h.active$.next(true);
    h.error$.next(Object.assign(new Error('push failed'), { parameters: { errors: [{ message: 'Failed to fetch' }] } }));
    assert.deepEqual(h.last(), { phase: 'error', lastSyncedAt: null, lastError: 'server unreachable' });
    h.progress$.next({});
    assert.equal(h.last().phase, 'syncing');
    assert.equal(h.last().lastError, null);
  });

  it('keeps the last synced time across going offline', () => {
    const h = harness();
    h.active$.next(true);
    h.active$.next(false);
    h.online$.next(false);
    assert.deepEqual(h.last(), { phase: 'offline', lastSyncedAt: 1000, lastError: null });
  });
});

/**
 * The global sync summary in the header, derived only from what replication reports
 * (requests active, documents received or accepted), the retry gate (failed attempts,
 * next try), the outbox (records waiting) and connectivity. Plain TypeScript: no Angular.
 */
import { combineLatest, distinctUntilChanged, filter, map, merge, Observable, pairwise, scan, startWith, withLatestFrom } from 'rxjs';
import type { GateState } from './queue/retry-gate';
import type { OutboxEntry } from './queue/outbox-entry';

export type SyncPhase = 'offline' | 'syncing' | 'retrying' | 'failed' | 'synced';

export interface SyncStatus {
  readonly phase: SyncPhase;
  /** When the server last answered a sync request successfully. */
  readonly lastSyncedAt: number | null;
  /** Why the last attempt failed, while retrying or failed. */
  readonly lastError: string | null;
  /** Consecutive failed attempts and when the next one starts, while retrying. */
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  /** Records with local changes the server has not accepted (saved offline, syncing, retrying). */
  readonly pending: number;
  /** Records that need the person: sync failed, rejected, needs review. */
  readonly needsAttention: number;
}

export interface SyncSignals {
  readonly online$: Observable<boolean>;
  readonly active$: Observable<boolean>;
  /** Emits whenever documents were received from or accepted by the server. */
  readonly progress$: Observable<unknown>;
  readonly gate$: Observable<GateState>;
  readonly entries$: Observable<readonly OutboxEntry[]>;
}

const WAITING = new Set<OutboxEntry['state']>(['pending', 'syncing', 'retrying']);
const ATTENTION = new Set<OutboxEntry['state']>(['failed', 'rejected', 'review']);

export function syncStatus$(signals: SyncSignals, now: () => number = Date.now): Observable<SyncStatus> {
  const gate$ = signals.gate$.pipe(startWith<GateState>({ online: true, attempts: 0, nextAttemptAt: null, lastError: null, heldReason: null }));
  // A replication cycle that ends with no failed attempt pending ended with the server's answer.
  const cycleDone$ = signals.active$.pipe(
    distinctUntilChanged(),
    pairwise(),
    filter(([was, is]) => was && !is),
    withLatestFrom(gate$),
    filter(([, gate]) => gate.attempts === 0),
  );
  const lastSyncedAt$ = merge(signals.progress$, cycleDone$).pipe(
    scan(() => now(), null as number | null),
    startWith(null as number | null),
  );
  return combineLatest([
    signals.online$,
    signals.active$.pipe(startWith(false)),
    gate$,
    signals.entries$.pipe(startWith([] as readonly OutboxEntry[])),
    lastSyncedAt$,
  ]).pipe(
    map(([online, active, gate, entries, lastSyncedAt]): SyncStatus => {
      const pending = entries.filter((e) => WAITING.has(e.state)).length;
      const needsAttention = entries.filter((e) => ATTENTION.has(e.state)).length;
      const failed = entries.find((e) => e.state === 'failed' && e.parked === null);
      const phase: SyncPhase = !online ? 'offline'
        : gate.heldReason !== null || failed ? 'failed'
        : gate.attempts > 0 ? 'retrying'
        : active || pending > 0 ? 'syncing'
        : 'synced';
      return {
        phase,
        lastSyncedAt,
        lastError: phase === 'failed' ? gate.heldReason ?? failed?.lastError ?? null : phase === 'retrying' ? gate.lastError : null,
        // The gate counts consecutive failures of any request; records count their own attempts.
        attempts: phase === 'retrying' ? Math.max(gate.attempts, ...entries.filter((e) => e.state === 'retrying').map((e) => e.attempts)) : 0,
        nextAttemptAt: phase === 'retrying' ? gate.nextAttemptAt : null,
        pending,
        needsAttention,
      };
    }),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
  );
}

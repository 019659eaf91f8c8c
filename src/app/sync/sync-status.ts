/**
 * The global sync indicator's state, derived only from what replication reports
 * (requests active, errors, documents received or accepted) and from connectivity.
 * Plain TypeScript: no Angular, testable with subjects.
 */
import { combineLatest, distinctUntilChanged, filter, map, merge, Observable, pairwise, scan, startWith } from 'rxjs';

export type SyncPhase = 'offline' | 'syncing' | 'synced' | 'error';

export interface SyncStatus {
  readonly phase: SyncPhase;
  /** When the server last confirmed anything (documents received or accepted). */
  readonly lastSyncedAt: number | null;
  /** The last failure, until a later request succeeds. */
  readonly lastError: string | null;
}

export interface SyncSignals {
  readonly online$: Observable<boolean>;
  readonly active$: Observable<boolean>;
  readonly error$: Observable<Error>;
  readonly progress$: Observable<unknown>;
}

type Event = { kind: 'error'; message: string } | { kind: 'success' };

interface Outcome {
  readonly lastError: string | null;
  readonly failing: boolean;
  readonly lastSyncedAt: number | null;
}

export function describeError(error: unknown): string {
  const e = error as { parameters?: { errors?: { message?: string }[] }; message?: string };
  const inner = e?.parameters?.errors?.[0]?.message;
  if (inner) return /fetch|network/i.test(inner) ? 'server unreachable' : inner;
  return e?.message ?? String(error);
}

/**
 * RxDB keeps a replication "active" while it retries a failing request, so a cycle that
 * ends (active turns false) ended with the server's answer: that counts as success.
 */
export function syncStatus$(signals: SyncSignals, now: () => number = Date.now): Observable<SyncStatus> {
  const events$: Observable<Event> = merge(
    signals.error$.pipe(map((error): Event => ({ kind: 'error', message: describeError(error) }))),
    signals.progress$.pipe(map((): Event => ({ kind: 'success' }))),
    signals.active$.pipe(
      distinctUntilChanged(),
      pairwise(),
      filter(([was, is]) => was && !is),
      map((): Event => ({ kind: 'success' })),
    ),
  );
  const initial: Outcome = { lastError: null, failing: false, lastSyncedAt: null };
  const outcome$ = events$.pipe(
    scan((acc: Outcome, event: Event): Outcome =>
      event.kind === 'error'
        ? { ...acc, lastError: event.message, failing: true }
        : { lastError: null, failing: false, lastSyncedAt: now() }, initial),
    startWith(initial),
  );
  return combineLatest([signals.online$, signals.active$.pipe(startWith(false)), outcome$]).pipe(
    map(([online, active, outcome]): SyncStatus => {
      const phase: SyncPhase = !online ? 'offline' : outcome.failing ? 'error' : active ? 'syncing' : 'synced';
      return { phase, lastSyncedAt: outcome.lastSyncedAt, lastError: outcome.lastError };
    }),
    distinctUntilChanged((a, b) => a.phase === b.phase && a.lastError === b.lastError && a.lastSyncedAt === b.lastSyncedAt),
  );
}

/**
 * The one place that decides when the next request to the server may go out. Failures
 * push the next attempt back (backoff with jitter, or the server's Retry-After); a
 * success resets it; connectivity returning, the app resuming and "retry now" open it
 * at once. While the device is offline nothing goes out and nothing counts as a failure.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { retryDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';
import type { Clock } from './clock';

export interface GateState {
  readonly online: boolean;
  /** Consecutive failed attempts; 0 after a success. */
  readonly attempts: number;
  /** When the next attempt may start (epoch ms), or null when it may start now. */
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  /** Why nothing may go out whatever the backoff says (e.g. "Sign in again to sync"), or null. */
  readonly heldReason: string | null;
}

export class RetryGate {
  private readonly stateSubject: BehaviorSubject<GateState>;
  private waiters: (() => void)[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    online: boolean,
    private readonly random: () => number = Math.random,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    this.stateSubject = new BehaviorSubject<GateState>({ online, attempts: 0, nextAttemptAt: null, lastError: null, heldReason: null });
  }

  get state(): GateState {
    return this.stateSubject.value;
  }

  /** Observable of the gate's state (for the UI). */
  changes(): Observable<GateState> {
    return this.stateSubject.asObservable();
  }

  /** Resolves when a request may go out. */
  ready(): Promise<void> {
    if (this.isOpen()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  isOpen(): boolean {
    const { online, nextAttemptAt, heldReason } = this.state;
    return online && heldReason === null && (nextAttemptAt === null || this.clock.now() >= nextAttemptAt);
  }

  /** Records a failed attempt; returns the attempt number and when the next may start. */
  fail(error: string, retryAfterMs?: number): { attempts: number; nextAttemptAt: number } {
    const attempts = this.state.attempts + 1;
    // Never sooner than the server asked, and never sooner than our own backoff.
    const delay = Math.max(retryAfterMs ?? 0, retryDelay(attempts, this.random, this.backoff));
    const nextAttemptAt = this.clock.now() + delay;
    this.set({ attempts, nextAttemptAt, lastError: error });
    return { attempts, nextAttemptAt };
  }

  succeed(): void {
    if (this.state.attempts !== 0 || this.state.nextAttemptAt !== null || this.state.lastError !== null) {
      this.set({ attempts: 0, nextAttemptAt: null, lastError: null });
    }
  }

  /** Let the next request go now (retry now, connectivity back, app resumed). Attempts keep counting. */
  open(): void {
    this.set({ nextAttemptAt: null });
    this.releaseWaiters();
  }

  /**
   * Holds every request until `release` (the person must sign in again); attempts do not
   * count meanwhile, and no backoff builds up.
   */
  hold(reason: string): void {
    if (this.state.heldReason !== reason) this.set({ heldReason: reason });
  }

  /** Ends a hold and lets requests go at once. */
  release(): void {
    if (this.state.heldReason === null) return;
    this.set({ heldReason: null, nextAttemptAt: null });
    this.releaseWaiters();
  }

  setOnline(online: boolean): void {
    if (online === this.state.online) return;
    this.set({ online });
    if (online) this.open();
  }

  private set(patch: Partial<GateState>): void {
    this.stateSubject.next({ ...this.state, ...patch });
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const { online, nextAttemptAt } = this.state;
    if (!online || nextAttemptAt === null) return;
    this.cancelTimer = this.clock.setTimer(() => this.releaseWaiters(), Math.max(0, nextAttemptAt - this.clock.now()));
  }

  private releaseWaiters(): void {
    if (!this.isOpen()) {
      this.schedule();
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}

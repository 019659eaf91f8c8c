import { Injectable, signal } from '@angular/core';
import { Subject } from 'rxjs';
import { invalid, ok, type WriteResult } from './write-result';
import { isStorageFull, STORAGE_FULL_ERROR } from './storage-full';
import { probeStorage } from './storage-probe';

/** How often a full device is checked for space again. */
const PROBE_INTERVAL_MS = 3_000;

/**
 * Whether the device can store the person's work. A local write refused for space is a
 * typed form error (`STORAGE_FULL_ERROR`), never an exception: the form keeps what the
 * person typed, and everything stored before stays. While storage is full the app says so;
 * once a write (the person's or a probe's) succeeds again, `recovered$` emits so sync can
 * fetch what it could not store meanwhile.
 */
@Injectable({ providedIn: 'root' })
export class StorageHealth {
  private readonly fullState = signal(false);
  private readonly recovered = new Subject<void>();
  private probe: ReturnType<typeof setInterval> | undefined;

  /** True from a write refused for space until a write succeeds again. */
  readonly full = this.fullState.asReadonly();
  /** Emits when storage works again after being full. */
  readonly recovered$ = this.recovered.asObservable();

  /** Runs one local write: `value` when stored, the storage-full error when refused for space. */
  async write<T>(write: () => Promise<unknown>, value: T): Promise<WriteResult<T>> {
    try {
      await write();
    } catch (error) {
      if (!isStorageFull(error)) throw error;
      this.reportFull();
      return invalid([STORAGE_FULL_ERROR]);
    }
    this.writable();
    return ok(value);
  }

  /** A write outside the stores (replication storing pulled documents) was refused for space. */
  reportFull(): void {
    if (this.fullState()) return;
    this.fullState.set(true);
    this.probe = setInterval(() => void probeStorage().then((stored) => stored && this.writable()), PROBE_INTERVAL_MS);
  }

  private writable(): void {
    if (!this.fullState()) return;
    clearInterval(this.probe);
    this.probe = undefined;
    this.fullState.set(false);
    this.recovered.next();
  }
}

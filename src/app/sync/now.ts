import { DestroyRef, inject, signal, type Signal } from '@angular/core';

/**
 * The current time, refreshed every second, for countdowns a person reads ("next try in
 * 8 s"). Display only: no sync state is ever derived from it.
 */
export function injectNow(): Signal<number> {
  const now = signal(Date.now());
  const handle = setInterval(() => now.set(Date.now()), 1000);
  inject(DestroyRef).onDestroy(() => clearInterval(handle));
  return now.asReadonly();
}

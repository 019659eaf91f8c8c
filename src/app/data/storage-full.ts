/**
 * Recognises a local write refused because the device is out of space (or the browser's
 * quota for this app is used up). IndexedDB reports it as a `QuotaExceededError`; by the
 * time it reaches the app, Dexie and RxDB may have wrapped it (`inner`, `cause`, RxDB's
 * `parameters.writeError`), so the whole chain is searched.
 */
import type { FieldError } from '../../shared/validate';

export const STORAGE_FULL_MESSAGE = 'The device is out of storage: this change was not saved';

/** What a form shows when its write was refused for space; the person's input stays in the form. */
export const STORAGE_FULL_ERROR: FieldError = { field: 'storage', message: STORAGE_FULL_MESSAGE };

const QUOTA = /QuotaExceeded/i;
const NESTED_KEYS = ['inner', 'cause', 'parameters', 'writeError', 'error', 'errors', 'failures'] as const;

export function isStorageFull(error: unknown, depth = 0): boolean {
  if (depth > 6 || error === null || typeof error !== 'object') return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if ((typeof name === 'string' && QUOTA.test(name)) || (typeof message === 'string' && QUOTA.test(message))) return true;
  if (Array.isArray(error)) return error.some((e) => isStorageFull(e, depth + 1));
  return NESTED_KEYS.some((key) => isStorageFull((error as Record<string, unknown>)[key], depth + 1));
}

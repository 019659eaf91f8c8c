import type { FieldError } from '../../shared/validate';

/** What a store's write returns: bad input is data for the form, never an exception. */
export type WriteResult<T = void> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

export const ok = <T>(value: T): WriteResult<T> => ({ ok: true, value });
export const invalid = (errors: readonly FieldError[]): WriteResult<never> => ({ ok: false, errors });

/** A viewer's write, refused before it is made (the server would refuse it too). */
export const VIEWER_ERROR: FieldError = { field: 'workspace', message: 'You can view this workspace but not change it' };

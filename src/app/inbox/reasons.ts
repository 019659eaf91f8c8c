/** Plain words for the server's refusal codes (the SDL's `RejectionCode`) and review reasons. */
import type { RejectionInfo } from '../sync/queue/outbox-entry';

const REFUSALS: Record<string, string> = {
  LIST_ARCHIVED: 'The list was archived, so tasks can no longer be added to it or changed in it.',
  FORBIDDEN: 'You are not allowed to make this change.',
  NOT_A_MEMBER: 'You are no longer a member of this workspace.',
  VALIDATION: 'The server found fields that are not valid.',
  REVISION_INVALID: 'The change was based on a version the server does not know.',
};

/** A refusal or recovery code in plain words (the code itself when unknown). */
export function codeInWords(code: string): string {
  return REFUSALS[code] ?? code;
}

export function refusalInWords(rejection: RejectionInfo): string {
  const base = REFUSALS[rejection.code] ?? rejection.message;
  const details = rejection.fields.map((f) => f.message).join('; ');
  return rejection.code === 'VALIDATION' && details ? `${base} ${details}.` : base;
}

export function reviewKind(reasons: readonly { reason: string }[]): 'same-field' | 'deleted-elsewhere' | 'deleted-here' {
  if (reasons.some((r) => r.reason === 'deleted-elsewhere')) return 'deleted-elsewhere';
  if (reasons.some((r) => r.reason === 'deleted-here')) return 'deleted-here';
  return 'same-field';
}

/** A field value as text in the side-by-side view. */
export function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A document's history as people read it: each accepted revision with the fields it
 * changed against the revision before (the first revision lists every non-empty field).
 */
import type { HistoryEntry } from './store';

export interface FieldChange {
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
}

export interface RevisionView extends Omit<HistoryEntry, 'data'> {
  readonly changes: FieldChange[];
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `fieldOrder`: the collection's fields in schema order (stored JSON has no stable order). */
export function describeHistory(entries: readonly HistoryEntry[], fieldOrder: readonly string[]): RevisionView[] {
  let previous: HistoryEntry | undefined;
  return entries.map((entry) => {
    const changes: FieldChange[] = [];
    const fields = fieldOrder.filter((f) => f in entry.data || (previous !== undefined && f in previous.data));
    for (const field of fields) {
      const from = previous ? asText(previous.data[field]) : null;
      const to = asText(entry.data[field]);
      if (from !== to) changes.push({ field, from, to });
    }
    if (previous && previous.deleted !== entry.deleted) {
      changes.push({ field: 'deleted', from: String(previous.deleted), to: String(entry.deleted) });
    }
    previous = entry;
    const { data, ...rest } = entry;
    void data;
    return { ...rest, changes };
  });
}

/** Between RxDB's stored form of a document and the form the server knows. */

/** Without RxDB's bookkeeping (`_meta`, `_rev`, `_attachments`). */
export function withoutRxdbFields<T extends Record<string, unknown>>(doc: T): Omit<T, '_meta' | '_rev' | '_attachments'> {
  const { _meta, _rev, _attachments, ...rest } = doc;
  void _meta; void _rev; void _attachments;
  return rest;
}

/** As the server sees it: no RxDB bookkeeping, the tombstone as `deleted`. */
export function toWireDocument(stored: Record<string, unknown>): Record<string, unknown> {
  const { _deleted, ...fields } = withoutRxdbFields(stored);
  return { ...fields, deleted: _deleted === true };
}

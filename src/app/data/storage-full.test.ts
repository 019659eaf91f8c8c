import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStorageFull } from './storage-full';

/** The shapes a quota failure takes on its way up: IndexedDB, Dexie, RxDB. */
describe('isStorageFull', () => {
  it('recognises the IndexedDB error and its wrappers', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    assert.equal(isStorageFull(quota), true);
    assert.equal(isStorageFull({ name: 'AbortError', inner: quota }), true);
    assert.equal(isStorageFull(new Error('bulk write failed', { cause: quota })), true);
    assert.equal(isStorageFull({ code: 'RC_PULL', parameters: { writeError: { status: 500, error: { name: 'QuotaExceededError' } } } }), true);
    assert.equal(isStorageFull({ name: 'BulkError', failures: [{ name: 'ConstraintError' }, quota] }), true);
  });

  it('does not mistake other failures for a full device', () => {
    assert.equal(isStorageFull(new Error('Network request failed')), false);
    assert.equal(isStorageFull({ name: 'ConstraintError', inner: { name: 'AbortError' } }), false);
    assert.equal(isStorageFull(null), false);
    assert.equal(isStorageFull('QuotaExceededError'), false);
  });
});

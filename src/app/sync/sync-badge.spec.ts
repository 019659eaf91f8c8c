import { recordStateLabel } from './sync-badge';
import { onFailed, onLocalWrite, onNeedsReview, onPushStarted, onRejected, onRetryScheduled } from './queue/outbox-entry';

describe('recordStateLabel', () => {
  const entry = onLocalWrite(undefined, { collection: 'tasks', docId: 't', label: 'T', revision: 1, deleted: false, isInsert: true }, 0);

  it('names every state a person can see', () => {
    expect(recordStateLabel(undefined, 4, true)).toBe('Synced · r4');
    expect(recordStateLabel(entry, 1, false)).toBe('Saved offline');
    expect(recordStateLabel(entry, 1, true)).toBe('Waiting to sync');
    expect(recordStateLabel(onPushStarted(entry), 1, true)).toBe('Syncing…');
    expect(recordStateLabel(onRetryScheduled(entry, 2, 'server busy (503)', 0), 1, true)).toBe('Retrying (attempt 2)');
    expect(recordStateLabel(onFailed(entry, 'sign in to sync'), 1, true)).toBe('Sync failed: sign in to sync');
    expect(recordStateLabel(onRejected(entry, { code: 'LIST_ARCHIVED', message: 'The list is archived', fields: [] }), 1, true)).toBe('Rejected: The list is archived');
    expect(recordStateLabel(onNeedsReview(entry, 'title changed on both sides'), 1, true)).toBe('Needs review');
  });
});

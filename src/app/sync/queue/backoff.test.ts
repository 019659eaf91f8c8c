import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterMs, retryDelay } from './backoff';

describe('retryDelay', () => {
  it('doubles the window with each attempt, between half and all of it', () => {
    assert.equal(retryDelay(1, () => 0), 500);
    assert.equal(retryDelay(1, () => 1), 1000);
    assert.equal(retryDelay(2, () => 0), 1000);
    assert.equal(retryDelay(4, () => 1), 8000);
  });

  it('never exceeds the cap', () => {
    assert.equal(retryDelay(30, () => 1), 60_000);
    assert.equal(retryDelay(30, () => 0), 30_000);
  });

  it('spreads devices that failed together', () => {
    const delays = new Set([0.1, 0.4, 0.7, 0.9].map((r) => retryDelay(5, () => r)));
    assert.equal(delays.size, 4);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('3', 0), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  });

  it('ignores what it cannot read, never goes negative, caps at an hour', () => {
    assert.equal(retryAfterMs('soon', 0), undefined);
    assert.equal(retryAfterMs(null, 0), undefined);
    assert.equal(retryAfterMs(new Date(0).toUTCString(), 5_000), 0);
    assert.equal(retryAfterMs('999999', 0), 3_600_000);
  });
});

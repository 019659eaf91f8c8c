/** The fuzz PRNG is deterministic per seed and covers its ranges. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng, deriveSeed } from './prng';

describe('fuzz prng', () => {
  it('draws the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => { const p = createPrng(seed); return Array.from({ length: 20 }, () => p.int(0, 1_000_000)); };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('keeps int within its bounds and reaches both ends', () => {
    const p = createPrng(7);
    const seen = new Set(Array.from({ length: 500 }, () => p.int(-2, 2)));
    assert.deepEqual([...seen].sort(), [-1, -2, 0, 1, 2].sort());
  });

  it('derives distinct seeds per stream', () => {
    const seeds = new Set(Array.from({ length: 100 }, (_, i) => deriveSeed(1, i)));
    assert.equal(seeds.size, 100);
  });
});

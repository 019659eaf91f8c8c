/** The fuzz tally counts per category and outcome and prints them as a table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tally } from './tally';

describe('fuzz tally', () => {
  it('counts outcomes per category, most frequent first, and prints them', () => {
    const tally = new Tally();
    tally.add('websocket', 'ws close 4400');
    tally.add('checkpoints', '200 data');
    tally.add('checkpoints', '400 BAD_USER_INPUT');
    tally.add('checkpoints', '400 BAD_USER_INPUT');
    assert.deepEqual(tally.outcomes('checkpoints'), [['400 BAD_USER_INPUT', 2], ['200 data', 1]]);
    assert.equal(tally.total(), 4);
    const table = tally.format().split('\n');
    assert.equal(table[2], '| checkpoints | 3 | 400 BAD_USER_INPUT: 2, 200 data: 1 |');
    assert.equal(table[3], '| websocket | 1 | ws close 4400: 1 |');
    assert.equal(table[4], '| **all** | 4 | |');
  });
});

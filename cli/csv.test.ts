import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCsv, parseCsv } from './csv';

describe('csv', () => {
  it('round-trips commas, quotes, line breaks and empty fields', () => {
    const records = [{ a: 'plain', b: 'with, comma', c: 'say "hi"' }, { a: 'two\r\nlines', b: '', c: null }];
    const text = formatCsv(['a', 'b', 'c'], records);
    assert.deepEqual(parseCsv(text), [['a', 'b', 'c'], ['plain', 'with, comma', 'say "hi"'], ['two\r\nlines', '', '']]);
  });

  it('reads LF files, a byte order mark and a last line without a break', () => {
    assert.deepEqual(parseCsv('\uFEFFtitle,status\nFix,done\nShip,todo'), [['title', 'status'], ['Fix', 'done'], ['Ship', 'todo']]);
  });

  it('refuses an unterminated quote', () => {
    assert.throws(() => parseCsv('title\n"open'), /quoted/);
  });
});

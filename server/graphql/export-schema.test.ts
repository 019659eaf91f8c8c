import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { generatedSchemaText, SCHEMA_FILE } from './export-schema';

describe('server/schema.graphql', () => {
  it('matches the schema the code serves (run `npm run schema:export` when this fails)', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    assert.equal(committed, generatedSchemaText());
  });

  it('declares pull, push and stream for every collection', () => {
    const sdl = generatedSchemaText();
    for (const operation of ['pullTasks', 'pushTasks', 'streamTasks', 'pullLists', 'pushLists', 'streamLists']) {
      assert.match(sdl, new RegExp(`\\b${operation}\\(`));
    }
  });
});

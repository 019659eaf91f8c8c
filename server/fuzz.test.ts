/**
 * The GraphQL endpoint under seeded fuzzing (server/fuzz), on PGlite and PostgreSQL: an
 * attacker with a workspace of its own fires hostile requests of every category while a
 * legitimate client of another workspace keeps pushing, pulling and streaming. The seed
 * is in the suite name; `FUZZ_SEED=<n>` replays it, `FUZZ_REPORT=1` prints the outcome table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, startTestServer, type TestServer } from './test-support';
import { FUZZ_CATEGORIES } from './fuzz/fuzz-case';
import { runFuzzSession, type FuzzSession } from './fuzz/fuzz-session';
import { generateCases } from './fuzz/generators';
import { describeFindings } from './fuzz/run-fuzz';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261204);
const CASES_PER_CATEGORY = 25;

for (const backend of BACKENDS) {
  describe(`fuzzed endpoint on ${backend.name} (seed ${SEED}, ${CASES_PER_CATEGORY} cases per category)`, () => {
    let env: TestServer;
    let session: FuzzSession;
    before(async () => {
      env = await startTestServer(backend);
      session = await runFuzzSession(env.url, (targets) => generateCases(SEED, targets, CASES_PER_CATEGORY));
    });
    after(() => env.dispose());

    it('answers every hostile request below 500 with typed errors, rejections or data only', (t) => {
      if (process.env['FUZZ_REPORT'] === '1') t.diagnostic(`\n${session.run.tally.format()}`);
      for (const category of FUZZ_CATEGORIES) assert.equal(session.run.tally.total(category), CASES_PER_CATEGORY, category);
      assert.deepEqual(describeFindings(session.run.findings), []);
    });

    it('stays up through every case', async () => {
      assert.ok(!session.run.findings.some((f) => f.result.outcome === 'server down'));
      assert.equal((await fetch(`${env.url}/health`)).status, 200);
    });

    it('leaves the victim workspace byte-identical except for its own client\'s writes', () => {
      assert.deepEqual(session.crossTenant, []);
    });

    it('keeps the legitimate client\'s pushes, pulls and live stream working alongside', () => {
      assert.deepEqual(session.legitimateProblems, []);
      assert.ok(session.legitimate.written.size > 0, 'the legitimate client wrote something');
    });
  });
}

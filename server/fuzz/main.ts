/**
 * `npm run fuzz -- [--seed N] [--cases N] [--backend pglite|postgres]`: a longer fuzz
 * run than the test's, on a fresh in-process server, printing the outcome table and
 * every finding. Exits 1 when a case broke the contract or the victim workspace changed.
 */
import { parseArgs } from 'node:util';
import { FUZZ_CATEGORIES } from './fuzz-case';
import { generateCases } from './generators';
import { BACKENDS, startTestServer } from '../test-support';
import { runFuzzSession } from './fuzz-session';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: process.env['FUZZ_SEED'] ?? '20261204' },
    cases: { type: 'string', default: '5000' },
    backend: { type: 'string', default: 'pglite' },
  },
});
const seed = Number(values.seed);
const total = Number(values.cases);
const backend = BACKENDS.find((b) => b.name === values.backend);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(total) || total < 1 || !backend) {
  process.stderr.write('usage: npm run fuzz -- [--seed N] [--cases N] [--backend pglite|postgres]\n');
  process.exit(2);
}

const env = await startTestServer(backend, { accessTokenTtlSeconds: 24 * 3600 });
const started = Date.now();
try {
  const session = await runFuzzSession(env.url, (targets) => generateCases(seed, targets, Math.ceil(total / FUZZ_CATEGORIES.length)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`Fuzz seed ${seed}, ${session.run.tally.total()} cases on ${backend.name} in ${seconds} s; legitimate client: ${session.legitimate.operations} operations, ${session.legitimate.retries} retried after a connection failure\n\n`);
  process.stdout.write(`${session.run.tally.format()}\n\n`);
  const problems = session.problems();
  process.stdout.write(problems.length === 0 ? 'No findings.\n' : `${problems.length} findings:\n${problems.join('\n')}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await env.dispose();
}

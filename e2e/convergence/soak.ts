/**
 * `npm run soak`: many seeded convergence runs with Node clients, then a summary table.
 *
 *   npm run soak                      # seeds 1..20
 *   npm run soak -- --seeds 50        # seeds 1..50
 *   npm run soak -- --first 201 --seeds 4   # seeds 201..204
 *   npm run soak -- --seed 17         # replay one seed, printing every failed check
 *   npm run soak -- --clients 2 --ops 60 --kills 2
 *
 * Exits 1 when any seed failed a check, printing the seed and how to replay it.
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS } from './chaos-proxy';
import { tolerateWebSocketErrorEvents } from './node-client';
import { runSeed, type SeedResult } from './run-seed';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '20' },
    first: { type: 'string', default: '1' },
    clients: { type: 'string', default: '2' },
    ops: { type: 'string', default: '40' },
    kills: { type: 'string', default: '1' },
  },
});

async function main(): Promise<void> {
  tolerateWebSocketErrorEvents();
  const seeds = values.seed ? [Number(values.seed)] : Array.from({ length: Number(values.seeds) }, (_, i) => i + Number(values.first));
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const started = Date.now();
    const result = await runSeed({ seed, nodeClients: Number(values.clients), operationsPerClient: Number(values.ops), serverKills: Number(values.kills) });
    results.push(result);
    const verdict = result.failures.length === 0 ? 'ok' : `FAILED (${result.failures.length} checks)`;
    process.stderr.write(`seed ${seed}: ${verdict}, ${result.operations} ops, converged in ${result.convergenceMs ?? '—'} ms, run ${Date.now() - started} ms\n`);
    if (values.seed || result.failures.length > 0) result.failures.forEach((f) => process.stderr.write(`  ${f}\n`));
  }

  const sum = (pick: (r: SeedResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const convergence = results.map((r) => r.convergenceMs).filter((ms): ms is number => ms !== null);
  const failed = results.filter((r) => r.failures.length > 0);
  const rows: [string, string][] = [
    ['seeds run', String(results.length)],
    ['operations', String(sum((r) => r.operations))],
    ...FAULT_KINDS.map((kind): [string, string] => [`faults: ${kind}`, String(sum((r) => r.faults[kind]))]),
    ['writes lost', String(sum((r) => r.writesLost))],
    ['max convergence time', convergence.length > 0 ? `${Math.max(...convergence)} ms` : '—'],
    ['seeds failed', failed.length === 0 ? '0' : failed.map((r) => r.seed).join(', ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  for (const r of failed) process.stdout.write(`seed ${r.seed} failed; replay: npm run soak -- --seed ${r.seed}\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

void main();

/**
 * `npm run bench`: the benchmark suite of issue 7, in one run, on loopback.
 *
 *   npm run bench -- [--runs 5] [--sizes 10000,100000] [--backends pglite,postgres]
 *                    [--only W1,W2,W3,W4,W5,W6,PouchDB] [--w3-edits 500] [--load-seconds 10] [--reuse-build] [--out bench/results/latest.json]
 *
 * Progress goes to stderr; the result table to stdout; the figures to a JSON file and a
 * chart (PNG) beside it. A watchdog ends the run (and its servers) if it overruns.
 */
import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunningServer } from '../e2e/harness';
import { buildApp, REPO_ROOT } from './lib/app-build';
import { BACKENDS, startBackend, type Backend } from './lib/backends';
import { launchBrowser } from './lib/browser';
import { progress } from './lib/log';
import { Seeder } from './lib/seed';
import { round } from './lib/stats';
import { renderChart } from './report/chart';
import { formatTable, type BackendResults, type Results } from './report/results';
import { runPouchPeer } from './peer-pouchdb';
import { runW1 } from './w1-initial-sync';
import { runW2 } from './w2-push-offline-edits';
import { runW3 } from './w3-live-propagation';
import { runW4 } from './w4-server-load';
import { runW5 } from './w5-cold-start';
import { measurePull10 } from './w6-cost-growth';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10000,100000' },
    backends: { type: 'string', default: BACKENDS.join(',') },
    only: { type: 'string', default: 'W1,W2,W3,W4,W5,W6,PouchDB' },
    'w3-edits': { type: 'string', default: '500' },
    'load-seconds': { type: 'string', default: '10' },
    'reuse-build': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/latest.json' },
    'timeout-min': { type: 'string', default: '25' },
  },
});

const runs = Number(args.runs);
const sizes = args.sizes.split(',').map(Number);
const backends = args.backends.split(',').filter(Boolean) as Backend[];
const only = new Set(args.only.split(','));
const servers = new Set<RunningServer>();

/** The run's figures so far: the watchdog saves what was measured before it stops the run. */
let current: Results | undefined;
const t0 = performance.now();

const watchdog = setTimeout(() => {
  progress(`watchdog: over ${args['timeout-min']} min, stopping and saving what was measured`);
  void Promise.allSettled([...servers].map((s) => s.dispose()))
    .then(() => current && save({ ...current, meta: { ...current.meta, stoppedByWatchdog: true } }))
    .finally(() => process.exit(2));
}, Number(args['timeout-min']) * 60_000);
watchdog.unref();

async function save(results: Results): Promise<void> {
  results.meta.durationS = round((performance.now() - t0) / 1000);
  results.meta.loadAverage = os.loadavg().map((x) => round(x, 1));
  const outFile = path.resolve(REPO_ROOT, args.out);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatTable(results)}\n`);
  const chart = outFile.replace(/\.json$/, '.png');
  await renderChart(results, chart);
  progress(`wrote ${path.relative(REPO_ROOT, outFile)} and ${path.relative(REPO_ROOT, chart)} in ${results.meta.durationS} s`);
}

/** Fills `out` as figures come in (so a stopped run keeps them). */
async function benchBackend(backend: Backend, browser: Awaited<ReturnType<typeof launchBrowser>>, out: BackendResults): Promise<void> {
  const server = await startBackend(backend);
  servers.add(server);
  try {
    const seeder = new Seeder(server.url);
    if (only.has('W6')) {
      await seeder.growTo(1000);
      out.w6.push(await measurePull10(server.url, seeder));
      progress(`W6 ${backend} 1000 docs: ${JSON.stringify(out.w6.at(-1))}`);
    }
    for (const size of sizes) {
      const started = performance.now();
      await seeder.growTo(size);
      progress(`${backend}: seeded ${size} tasks (${Math.round(performance.now() - started)} ms)`);
      if (only.has('W6') && size >= 100_000) {
        out.w6.push(await measurePull10(server.url, seeder));
        progress(`W6 ${backend} ${size} docs: ${JSON.stringify(out.w6.at(-1))}`);
      }
      if (only.has('W1')) {
        // 100k runs are long: the attribution variants run at 10k only, and the 10k runs
        // before them serve as the warm-up of server and browser.
        const large = size >= 100_000;
        const variants = large ? ['app', 'floor', 'floor-pipelined'] as const : ['app', 'rxdb', 'rxdb-batch1000', 'floor', 'floor-pipelined'] as const;
        const samples = await runW1(browser, server.url, size, runs, variants, !large || !sizes.some((x) => x < size));
        out.w1.push({ documents: size, samples });
      }
      if (only.has('W5') && size === 10_000) {
        out.w5 = { documents: size, samples: await runW5(browser, server.url, size, runs) };
      }
      // W2 and W3 at the first size only (10k by default): their clients start synced.
      if (only.has('W2') && size === sizes[0]) out.w2 = await runW2(browser, server.url, backend, seeder, runs);
      if (only.has('W3') && size === sizes[0]) out.w3 = await runW3(browser, server.url, seeder, Number(args['w3-edits']));
    }
    if (only.has('W4')) out.w4 = await runW4(server.url, seeder, Number(args['load-seconds']));
  } finally {
    await server.dispose();
    servers.delete(server);
  }
}

async function main(): Promise<void> {
  progress('building the app');
  buildApp(args['reuse-build']);
  const browser = await launchBrowser();
  const results: Results = {
    meta: {
      date: new Date().toISOString(),
      commit: execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim(),
      node: process.version,
      chromium: browser.version(),
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
      runs,
    },
    backends: {},
  };
  current = results;
  try {
    for (const backend of backends) {
      progress(`backend ${backend}`);
      await benchBackend(backend, browser, (results.backends[backend] = { w1: [], w6: [] }));
    }
    if (only.has('PouchDB')) {
      progress('peer PouchDB');
      await runPouchPeer(browser, {
        sizes, runs, w1: only.has('W1'), w2: only.has('W2'), w3: only.has('W3'), w3Edits: Number(args['w3-edits']),
      }, (results.peer = { w1: [] }));
    }
  } finally {
    await browser.close();
  }
  await save(results);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    await Promise.allSettled([...servers].map((s) => s.dispose()));
    if (current) await save(current).catch(() => undefined);
    process.exit(1);
  },
);

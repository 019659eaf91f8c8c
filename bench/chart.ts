/** Redraws the chart from a results file: `node --import tsx bench/chart.ts [bench/results/latest.json]`. */
import { readFile } from 'node:fs/promises';
import { renderChart } from './report/chart';
import type { Results } from './report/results';

const file = process.argv[2] ?? 'bench/results/latest.json';
const results = JSON.parse(await readFile(file, 'utf8')) as Results;
await renderChart(results, file.replace(/\.json$/, '.png'));

/**
 * A bar chart of the run (W1 seconds per variant and backend, W5 and W6 beside them),
 * drawn as SVG and rendered to PNG by Chromium so the README can show it.
 */
import { writeFile } from 'node:fs/promises';
import { launchBrowser } from '../lib/browser';
import { median, round } from '../lib/stats';
import type { Results } from './results';
import type { W1Variant } from '../w1-initial-sync';
import { w3Summary } from '../w3-live-propagation';

interface Bar { readonly label: string; readonly value: number; readonly color: string }
interface Group { readonly title: string; readonly unit: string; readonly bars: Bar[] }

const COLORS = { app: '#2563eb', floor: '#9ca3af', piped: '#d1d5db', pglite: '#2563eb', postgres: '#16a34a', pouch: '#f59e0b' } as const;

function groups(results: Results): Group[] {
  const out: Group[] = [];
  const pouchW1 = (documents: number): Bar[] => {
    const samples = results.peer?.w1.find((w) => w.documents === documents)?.samples ?? [];
    return samples.length ? [{ label: 'PouchDB replicate.from', value: median(samples.map((x) => x.ms)) / 1000, color: COLORS.pouch }] : [];
  };
  for (const [backend, r] of Object.entries(results.backends)) {
    for (const w of r?.w1 ?? []) {
      const bar = (v: W1Variant, label: string, color: string): Bar[] =>
        w.samples[v] ? [{ label, value: median(w.samples[v].map((x) => x.ms)) / 1000, color }] : [];
      out.push({ title: `W1 initial sync ${w.documents / 1000}k, ${backend}`, unit: 's', bars: [
        ...bar('app', 'Fieldbook app', COLORS.app),
        ...bar('rxdb', 'RxDB wiring alone', '#60a5fa'),
        ...bar('rxdb-batch1000', 'RxDB alone, batch 1000', '#93c5fd'),
        ...bar('floor', 'floor: fetch + Dexie', COLORS.floor),
        ...bar('floor-pipelined', 'floor, pipelined', COLORS.piped),
        ...pouchW1(w.documents),
      ] });
    }
    if (r?.w2) {
      const pouch = results.peer?.w2 ? [{ label: 'PouchDB replicate.to', value: median(results.peer.w2.samples.map((x) => x.ms)) / 1000, color: COLORS.pouch }] : [];
      out.push({ title: `W2 push ${r.w2.documents / 1000}k offline edits, ${backend}`, unit: 's', bars: [
        { label: 'Fieldbook app', value: median(r.w2.app.map((x) => x.ms)) / 1000, color: COLORS.app },
        { label: 'floor: fetch + upsert', value: median(r.w2.floor.map((x) => x.ms)) / 1000, color: COLORS.floor },
        ...pouch,
      ] });
    }
  }
  const w3 = Object.entries(results.backends).filter(([, r]) => r?.w3);
  const peerW3 = results.peer?.w3 ? [['PouchDB live sync', w3Summary(results.peer.w3.latenciesMs), COLORS.pouch] as const] : [];
  if (w3.length) out.push({ title: 'W3 live propagation A → B, p50 / p95 / p99', unit: 'ms', bars: [
    ...w3.map(([b, r]) => [`Fieldbook, ${b}`, w3Summary(r!.w3!.latenciesMs), COLORS[b as 'pglite'] ?? '#666'] as const),
    ...peerW3,
  ].flatMap(([label, q, color]) => (['p50', 'p95', 'p99'] as const).map((k) => ({ label: `${label} ${k}`, value: q[k], color }))) });
  const w4 = Object.entries(results.backends).filter(([, r]) => r?.w4);
  if (w4.length) out.push({ title: 'W4 req/s, 50 clients', unit: 'req/s', bars: w4.flatMap(([b, r]) => [
    { label: `Fieldbook, ${b}`, value: r!.w4!.fieldbook.reqPerS, color: COLORS[b as 'pglite'] ?? '#666' },
    { label: `hello-world (${b} run)`, value: r!.w4!.floor.reqPerS, color: COLORS.floor },
  ]) });
  const w5 = Object.entries(results.backends).filter(([, r]) => r?.w5);
  if (w5.length) out.push({ title: 'W5 cold start offline, 10k', unit: 'ms', bars: w5.map(([b, r]) => ({ label: b, value: median(r!.w5!.samples.map((x) => x.frameMs)), color: COLORS[b as 'pglite'] ?? '#666' })) });
  const w6 = Object.entries(results.backends).filter(([, r]) => (r?.w6.length ?? 0) >= 2);
  if (w6.length) out.push({ title: 'W6 pull 10 changes: 100k/1k docs', unit: '×', bars: w6.map(([b, r]) => ({ label: b, value: r!.w6.at(-1)!.pullMs / r!.w6[0]!.pullMs, color: COLORS[b as 'pglite'] ?? '#666' })) });
  return out;
}

function svg(results: Results): { svg: string; width: number; height: number } {
  const gs = groups(results);
  const width = 900;
  const rowH = 22;
  const labelW = 190;
  let y = 50;
  const parts: string[] = [];
  for (const g of gs) {
    parts.push(`<text x="10" y="${y}" font-weight="bold">${g.title}</text>`);
    y += 8;
    const max = Math.max(...g.bars.map((b) => b.value), 1e-9);
    for (const b of g.bars) {
      const w = ((width - labelW - 120) * b.value) / max;
      parts.push(`<text x="20" y="${y + 15}">${b.label}</text>`,
        `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${b.color}"/>`,
        `<text x="${labelW + w + 6}" y="${y + 15}">${round(b.value, 2)} ${g.unit}</text>`);
      y += rowH;
    }
    y += 22;
  }
  const title = `Fieldbook bench, ${results.meta.date.slice(0, 10)}, commit ${results.meta.commit}, ${results.meta.cpus.split(' ')[0]} cores, median of ${results.meta.runs}`;
  const height = y;
  return {
    width, height,
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/><text x="10" y="24" font-size="15">${title}</text>${parts.join('')}</svg>`,
  };
}

export async function renderChart(results: Results, pngPath: string): Promise<void> {
  const { svg: source, width, height } = svg(results);
  await writeFile(pngPath.replace(/\.png$/, '.svg'), source);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.setContent(`<body style="margin:0">${source}</body>`);
    await page.screenshot({ path: pngPath });
  } finally {
    await browser.close();
  }
}

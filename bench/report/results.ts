/** The shape of a bench run's results and the table printed from them. */
import { median, quantile, round } from '../lib/stats';
import type { W1Sample, W1Variant } from '../w1-initial-sync';
import type { PeerResults } from '../peer-pouchdb';
import type { W2Results } from '../w2-push-offline-edits';
import { w3Summary, type W3Results } from '../w3-live-propagation';
import type { W4Results } from '../w4-server-load';
import type { W5Sample } from '../w5-cold-start';
import type { W6Point } from '../w6-cost-growth';

export interface BackendResults {
  w1: { documents: number; samples: Partial<Record<W1Variant, W1Sample[]>> }[];
  w2?: W2Results;
  w3?: W3Results;
  w4?: W4Results;
  w5?: { documents: number; samples: W5Sample[] };
  w6: W6Point[];
}

export interface Results {
  meta: { date: string; commit: string; node: string; chromium: string; cpus: string; runs: number; durationS?: number; loadAverage?: number[]; stoppedByWatchdog?: boolean };
  backends: Partial<Record<string, BackendResults>>;
  /** The PouchDB peer (its own server, so once per run). */
  peer?: PeerResults;
}

export interface Row {
  readonly backend: string;
  readonly workload: string;
  readonly measure: string;
  readonly fieldbook: string;
  readonly floor: string;
  readonly ratio: string;
  /** The PouchDB peer's figure for the same workload (same run). */
  readonly peer: string;
  readonly target: string;
  readonly met: boolean | null;
}

const s = (ms: number) => `${round(ms / 1000, 2)} s`;
const rate = (docs: number, ms: number) => `${Math.round(docs / (ms / 1000)).toLocaleString('en-US')} docs/s`;

/** One summary row per workload and backend; also what the README and chart show. */
export function summaryRows(results: Results): Row[] {
  const out: Row[] = [];
  // Rows without a PouchDB figure leave its column empty.
  const rows = { push: (row: Omit<Row, 'peer'> & { peer?: string }) => out.push({ peer: '', ...row }) };
  const peer = results.peer;
  for (const [backend, r] of Object.entries(results.backends)) {
    if (!r) continue;
    for (const { documents, samples } of r.w1) {
      const med = (v: W1Variant) => median((samples[v] ?? []).map((x) => x.ms));
      const app = med('app');
      const floor = med('floor');
      const piped = med('floor-pipelined');
      const k = `${documents / 1000}k`;
      const pouch = median(peer?.w1.find((w) => w.documents === documents)?.samples.map((x) => x.ms) ?? []);
      const hasPeer = !Number.isNaN(pouch);
      rows.push({
        backend, workload: `W1 initial sync ${k}`, measure: 'median time (docs/s)',
        fieldbook: `${s(app)} (${rate(documents, app)})`, floor: `${s(floor)} (${rate(documents, floor)}); pipelined ${s(piped)}`,
        ratio: `${round(app / floor, 2)}×`,
        peer: hasPeer ? `${s(pouch)} (${rate(documents, pouch)}); Fieldbook ${round(pouch / app, 2)}× as fast` : '',
        target: `≤ 2× floor${hasPeer ? ', ≥ 3× as fast as PouchDB' : ''}${documents >= 100_000 ? ', ≤ 20 s' : ''}`,
        met: app / floor <= 2 && (documents < 100_000 || app <= 20_000) && (!hasPeer || pouch / app >= 3),
      });
      for (const [v, label] of [['rxdb', 'RxDB wiring alone (no Angular/UI/transport)'], ['rxdb-batch1000', 'RxDB wiring alone, pull batch 1000']] as const) {
        if (!samples[v]) continue;
        rows.push({ backend, workload: `W1 initial sync ${k}`, measure: label,
          fieldbook: `${s(med(v))} (${rate(documents, med(v))})`, floor: '', ratio: `${round(med(v) / floor, 2)}×`, target: '', met: null });
      }
      const split = (v: W1Variant) => {
        const m = (f: (x: W1Sample) => number) => Math.round(median((samples[v] ?? []).map(f)));
        return `boot ${m((x) => x.bootMs)} + network ${m((x) => x.networkMs)} + client ${m((x) => x.clientMs)} ms, ${m((x) => x.requests)} req`;
      };
      rows.push({ backend, workload: `W1 initial sync ${k}`, measure: 'where the time goes', fieldbook: `app: ${split('app')}${samples.rxdb ? `; RxDB alone: ${split('rxdb')}` : ''}`, floor: split('floor'), ratio: '', target: '', met: null });
    }
    if (r.w2) {
      const app = median(r.w2.app.map((x) => x.ms));
      const floor = median(r.w2.floor.map((x) => x.ms));
      const pouch = median(peer?.w2?.samples.map((x) => x.ms) ?? []);
      rows.push({ backend, workload: `W2 push ${r.w2.documents / 1000}k offline edits on reconnect`, measure: 'median time (push requests)',
        fieldbook: `${s(app)} (${Math.round(median(r.w2.app.map((x) => x.requests)))} pushes, ${s(median(r.w2.app.map((x) => x.inFlightMs ?? Number.NaN)))} of it with a push in flight)`,
        floor: `${s(floor)} (${Math.round(median(r.w2.floor.map((x) => x.requests)))} pushes)`,
        ratio: `${round(app / floor, 2)}×`, peer: Number.isNaN(pouch) ? '' : `${s(pouch)}`,
        target: '≤ 2× floor', met: app / floor <= 2 });
    }
    if (r.w3) {
      const f = w3Summary(r.w3.latenciesMs);
      const p = peer?.w3 ? w3Summary(peer.w3.latenciesMs) : undefined;
      const ms = (x: { p50: number; p95: number; p99: number }) => `${Math.round(x.p50)} / ${Math.round(x.p95)} / ${Math.round(x.p99)} ms`;
      rows.push({ backend, workload: `W3 live propagation A → B, ${r.w3.latenciesMs.length} edits`, measure: 'p50 / p95 / p99, A\'s write to B\'s database',
        fieldbook: `${ms(f)} (A's local write p50 ${round(quantile(r.w3.localWriteMs, 0.5))} ms)`, floor: '—', ratio: '',
        peer: p ? ms(p) : '', target: 'p95 ≤ 100 ms', met: f.p95 <= 100 });
    }
    if (r.w4) {
      const { fieldbook: f, floor: h } = r.w4;
      const share = f.reqPerS / h.reqPerS;
      rows.push({ backend, workload: `W4 ${50} clients (80% pull, 20% push) + ${r.w4.subscriptions} idle subscriptions, ${r.w4.seconds} s`,
        measure: 'req/s, p50/p99 ms, peak RSS',
        fieldbook: `${f.reqPerS} req/s, ${f.p50Ms}/${f.p99Ms} ms, ${f.peakRssMb} MB (idle ${r.w4.idleRssMb} MB, ${r.w4.subscribedRssMb} MB once subscribed)${f.errors ? `, ${f.errors} errors` : ''}`,
        floor: `hello-world yoga: ${h.reqPerS} req/s, ${h.p50Ms}/${h.p99Ms} ms, ${h.peakRssMb} MB`,
        ratio: `${round(share * 100)}% of floor`, target: '≥ 40% of floor, p99 ≤ 50 ms, ≤ 300 MB',
        met: share >= 0.4 && f.p99Ms <= 50 && f.peakRssMb <= 300 && f.errors === 0 });
    }
    if (r.w5) {
      const dom = median(r.w5.samples.map((x) => x.domMs));
      const frame = median(r.w5.samples.map((x) => x.frameMs));
      rows.push({ backend, workload: `W5 cold start offline ${r.w5.documents / 1000}k`, measure: 'ms to first task row (DOM / next frame)',
        fieldbook: `${Math.round(dom)} / ${Math.round(frame)} ms (p95 ${Math.round(quantile(r.w5.samples.map((x) => x.frameMs), 0.95))})`,
        floor: '—', ratio: '', target: '≤ 1000 ms', met: frame <= 1000 });
    }
    const small = r.w6.find((p) => p.documents <= 1000);
    const large = r.w6.find((p) => p.documents >= 100_000);
    if (small && large) {
      const ratio = large.pullMs / small.pullMs;
      const ratioRemaining = large.pullWithRemainingMs / small.pullWithRemainingMs;
      rows.push({ backend, workload: 'W6 pull of 10 changes, 1k vs 100k docs', measure: 'median ms (ratio)',
        fieldbook: `${round(small.pullMs, 2)} → ${round(large.pullMs, 2)} ms (${round(ratio, 2)}×); app's first page with \`remaining\`: ${round(small.pullWithRemainingMs, 2)} → ${round(large.pullWithRemainingMs, 2)} ms (${round(ratioRemaining, 2)}×)`,
        floor: '—', ratio: `${round(ratio, 2)}×`, target: '≤ 1.3', met: ratio <= 1.3 && ratioRemaining <= 1.3 });
    }
  }
  if (peer) {
    const row = (workload: string, measure: string, figure: string) => rows.push({ backend: 'PouchDB peer', workload, measure, fieldbook: '', floor: '', ratio: '', peer: figure, target: '', met: null });
    for (const { documents, samples } of peer.w1) {
      if (samples.length) row(`W1 initial sync ${documents / 1000}k`, `median of ${samples.length}`, s(median(samples.map((x) => x.ms))));
    }
    if (peer.w2) row(`W2 push ${peer.w2.documents / 1000}k offline edits`, `median of ${peer.w2.samples.length}`, s(median(peer.w2.samples.map((x) => x.ms))));
    if (peer.w3) {
      const q = w3Summary(peer.w3.latenciesMs);
      row(`W3 live propagation, ${peer.w3.latenciesMs.length} edits`, 'p50 / p95 / p99', `${Math.round(q.p50)} / ${Math.round(q.p95)} / ${Math.round(q.p99)} ms`);
    }
  }
  return out;
}

const verdict = (met: boolean | null) => (met === null ? '' : met ? 'met' : 'MISSED');

/** A Markdown table (readable in a terminal, pasteable into the README). */
export function formatTable(results: Results): string {
  const header = ['backend', 'workload', 'measure', 'Fieldbook', 'floor', 'ratio', 'PouchDB peer', 'target', ''];
  const lines = summaryRows(results).map((r) => [r.backend, r.workload, r.measure, r.fieldbook, r.floor, r.ratio, r.peer, r.target, verdict(r.met)]);
  const fmt = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `Fieldbook bench ${results.meta.date} (commit ${results.meta.commit}, ${results.meta.cpus}, Chromium ${results.meta.chromium}, median of ${results.meta.runs} runs after a warm-up)`,
    '',
    fmt(header), fmt(header.map(() => '---')), ...lines.map(fmt),
  ].join('\n');
}

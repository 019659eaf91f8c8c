/**
 * Fires fuzz cases at a running server, a few at a time, and checks after each one that
 * the process still answers `/health`. Returns the tally and every case that broke the
 * contract (see `run-case.ts`), with its label for reproduction.
 */
import type { FuzzCase } from './fuzz-case';
import { runCase, type CaseResult } from './run-case';
import { Tally } from './tally';

export interface Finding {
  readonly case: FuzzCase;
  readonly index: number;
  readonly result: CaseResult;
}

export interface FuzzRun {
  readonly tally: Tally;
  readonly findings: Finding[];
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(15_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function runFuzz(url: string, cases: Iterable<FuzzCase>, options: { concurrency?: number; timeoutMs?: number } = {}): Promise<FuzzRun> {
  const tally = new Tally();
  const findings: Finding[] = [];
  const pending = cases[Symbol.iterator]();
  let nextIndex = 0;
  const worker = async () => {
    for (let next = pending.next(); !next.done; next = pending.next()) {
      const index = nextIndex++;
      const fuzzCase = next.value;
      const result = await runCase(url, fuzzCase, options.timeoutMs);
      tally.add(fuzzCase.category, result.outcome);
      if (result.problem) findings.push({ case: fuzzCase, index, result });
      if (!(await healthy(url))) {
        findings.push({ case: fuzzCase, index, result: { outcome: 'server down', problem: '/health did not answer 200 after this case' } });
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
  return { tally, findings };
}

/** One line per finding: case number, category, label, what went wrong. */
export function describeFindings(findings: readonly Finding[]): string[] {
  return findings.map((f) => `#${f.index} ${f.case.category} "${f.case.label}": ${f.result.problem}`);
}

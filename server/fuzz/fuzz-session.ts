/**
 * A whole fuzz run against a server at `url`: two tenants with seeded data, the
 * attacker firing the cases while a legitimate client of the victim workspace keeps
 * pushing, pulling and streaming, then the checks no single case can make: the victim's
 * documents are byte-identical to before except for its own client's writes, and every
 * one of those writes was accepted, pulled back and streamed.
 */
import type { FuzzCase, FuzzTargets } from './fuzz-case';
import { prepareTargets, snapshotWorkspace } from './fuzz-targets';
import { LegitimateClient } from './legitimate-client';
import { describeFindings, runFuzz, type FuzzRun } from './run-fuzz';

export interface FuzzSession {
  readonly run: FuzzRun;
  readonly legitimate: LegitimateClient;
  /** Victim documents that changed, appeared or vanished without the legitimate client writing them. */
  readonly crossTenant: string[];
  /** What went wrong for the legitimate client: refused writes, missing pulls, stream gaps. */
  readonly legitimateProblems: string[];
  /** Everything above, one line each; empty when the server held. */
  problems(): string[];
}

const STREAM_TIMEOUT_MS = 10_000;

export async function runFuzzSession(url: string, casesFor: (targets: FuzzTargets) => Iterable<FuzzCase>, options: { concurrency?: number } = {}): Promise<FuzzSession> {
  const { targets, victim } = await prepareTargets(url);
  const before = await snapshotWorkspace(url, victim.user.accessToken, victim.workspaceId);
  const legitimate = new LegitimateClient(url, victim.user.accessToken, victim.workspaceId);
  await legitimate.start();
  const run = await runFuzz(url, casesFor(targets), options);
  const finalStates = await legitimate.stop();

  const legitimateProblems = [...legitimate.failures];
  if (finalStates.size === 0) legitimateProblems.push('the legitimate client wrote nothing');
  const deadline = Date.now() + STREAM_TIMEOUT_MS;
  const unstreamed = () => [...finalStates.values()].filter((doc) => !legitimate.streamed.has(`${doc.id}@${doc.revision}`));
  while (unstreamed().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const doc of unstreamed()) legitimateProblems.push(`the live stream never delivered ${doc.id} at revision ${doc.revision}`);
  await legitimate.close();

  const after = await snapshotWorkspace(url, victim.user.accessToken, victim.workspaceId);
  const crossTenant: string[] = [];
  for (const [key, text] of before) {
    const id = key.split('/')[1]!;
    if (key.startsWith('tasks/') && legitimate.written.has(id)) continue;
    if (after.get(key) !== text) crossTenant.push(`${key} changed: ${text} -> ${after.get(key) ?? 'gone'}`);
  }
  for (const [key, text] of after) {
    const id = key.split('/')[1]!;
    const ownWrite = key.startsWith('tasks/') && legitimate.written.has(id);
    if (!before.has(key) && !ownWrite) crossTenant.push(`${key} appeared: ${text}`);
    if (ownWrite) {
      const doc = JSON.parse(text) as { revision: number; title: string };
      const expected = finalStates.get(id)!;
      if (doc.revision !== expected.revision || doc.title !== expected['title']) crossTenant.push(`${key} is ${text}, its client last wrote revision ${expected.revision}`);
    }
  }

  return {
    run,
    legitimate,
    crossTenant,
    legitimateProblems,
    problems: () => [
      ...describeFindings(run.findings),
      ...crossTenant.map((line) => `cross-tenant: ${line}`),
      ...legitimateProblems.map((line) => `legitimate client: ${line}`),
    ],
  };
}

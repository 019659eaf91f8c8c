/**
 * W4: the server under 50 concurrent clients (a mix of pulls and pushes, each client on
 * its own tasks so pushes do not conflict) while 1,000 graphql-ws subscriptions sit idle
 * (on the lists stream; the load writes tasks only). Floor: the same 50 clients asking a
 * hello-world graphql-yoga server `{ hello }`, in the same run.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, observerToken, waitFor } from '../e2e/harness';
import { REPO_ROOT } from './lib/app-build';
import { progress } from './lib/log';
import { quantile, round } from './lib/stats';
import { gql, pushTaskRows, TASK_FIELDS, WORKSPACE_ID, type Seeder } from './lib/seed';
import { MAX_ID, newestSeq } from './w6-cost-growth';

const CLIENTS = 50;
const IDLE_SUBSCRIPTIONS = 1000;
const PUSH_SHARE = 0.2;
const PULL = `query PullTasks($workspaceId: ID!, $checkpoint: CheckpointInput, $limit: Int!) {
  pullTasks(workspaceId: $workspaceId, checkpoint: $checkpoint, limit: $limit) { documents { ${TASK_FIELDS} } checkpoint { seq id } }
}`;

export interface W4Result {
  readonly reqPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly peakRssMb: number;
}

export interface W4Results {
  readonly fieldbook: W4Result;
  readonly floor: W4Result;
  readonly subscriptions: number;
  readonly seconds: number;
  /** Server RSS before the subscriptions open and once they are open, before the load. */
  readonly idleRssMb: number;
  readonly subscribedRssMb: number;
}

/** The pid listening on a loopback port (the server child the harness started). */
function pidOnPort(port: number): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
  const match = out.match(/pid=(\d+)/);
  if (!match) throw new Error(`no process listens on ${port}`);
  return Number(match[1]);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
}

/** Runs `clients` loops of `step` for `seconds`, sampling the server's RSS. */
async function drive(pid: number, seconds: number, clients: number, step: (client: number) => Promise<void>): Promise<W4Result> {
  const latencies: number[] = [];
  let errors = 0;
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await step(c);
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  clearInterval(sampler);
  const elapsed = (performance.now() - started) / 1000;
  peak = Math.max(peak, rssMb(pid));
  return { reqPerS: round(latencies.length / elapsed), p50Ms: round(quantile(latencies, 0.5), 2), p99Ms: round(quantile(latencies, 0.99), 2), errors, peakRssMb: round(peak) };
}

async function openIdleSubscriptions(url: string, n: number): Promise<Client[]> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
  // Streams are members-only: each socket signs in with the observer's token.
  const connectionParams = { authorization: `Bearer ${await observerToken(url)}` };
  const clients: Client[] = [];
  let connected = 0;
  for (let i = 0; i < n; i++) {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams, on: { connected: () => connected++ } });
    client.subscribe({ query: `subscription { streamLists(workspaceId: "${WORKSPACE_ID}") { checkpoint { seq id } } }` }, { next: () => {}, error: () => {}, complete: () => {} });
    clients.push(client);
  }
  await waitFor(`${n} graphql-ws connections`, () => connected >= n, 60_000);
  return clients;
}

async function helloFloor(seconds: number): Promise<W4Result> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/servers/hello-yoga.ts'], { cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitFor('the hello-world server', async () => (await fetch(`${url}?query={hello}`).catch(() => undefined))?.ok, 30_000);
    const body = JSON.stringify({ query: '{ hello }' });
    return await drive(child.pid!, seconds, CLIENTS, async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(String(res.status));
      await res.json();
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function runW4(url: string, seeder: Seeder, seconds: number): Promise<W4Results> {
  const pid = pidOnPort(Number(new URL(url).port));
  const idleRssMb = round(rssMb(pid));
  const subscriptions = await openIdleSubscriptions(url, IDLE_SUBSCRIPTIONS);
  const subscribedRssMb = round(rssMb(pid));
  progress(`W4: RSS ${idleRssMb} MB, ${subscribedRssMb} MB with ${IDLE_SUBSCRIPTIONS} idle subscriptions open`);
  try {
    const start = await newestSeq(url);
    const checkpoints = Array.from({ length: CLIENTS }, () => ({ seq: start, id: MAX_ID }));
    // Each client edits its own 20 tasks, so every push is accepted.
    const owned = Array.from({ length: CLIENTS }, (_, c) => seeder.tasks.slice(c * 20, c * 20 + 20).map((_, i) => c * 20 + i));
    let turn = 0;
    const fieldbook = await drive(pid, seconds, CLIENTS, async (c) => {
      if (Math.random() < PUSH_SHARE) {
        const index = owned[c]![turn++ % 20]!;
        const doc = seeder.tasks[index]!;
        const next = { ...doc, revision: doc.revision + 1, status: doc.status === 'done' ? 'todo' as const : 'done' as const };
        await pushTaskRows(url, [{ assumedMasterState: doc, newDocumentState: next }]);
        seeder.tasks[index] = next;
      } else {
        const data = await gql<{ pullTasks: { checkpoint: { seq: number; id: string } | null } }>(url, PULL, { workspaceId: WORKSPACE_ID, checkpoint: checkpoints[c], limit: 100 });
        if (data.pullTasks.checkpoint) checkpoints[c] = data.pullTasks.checkpoint;
      }
    });
    progress(`W4 Fieldbook: ${JSON.stringify(fieldbook)}`);
    const floor = await helloFloor(seconds);
    progress(`W4 hello-world floor: ${JSON.stringify(floor)}`);
    return { fieldbook, floor, subscriptions: IDLE_SUBSCRIPTIONS, seconds, idleRssMb, subscribedRssMb };
  } finally {
    await Promise.allSettled(subscriptions.map((c) => c.dispose()));
  }
}

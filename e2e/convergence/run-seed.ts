/**
 * One seeded convergence run: the real server (`server/main.ts`, PGlite) as a child
 * process, K Node clients on the app's sync stack, each behind its own chaos proxy, plus
 * any extra clients (the e2e file adds Chromium devices). Clients perform random
 * operations and go offline and back; proxies drop, delay, duplicate and reorder
 * requests and answers and cut WebSockets; the server is SIGKILLed while a push is in
 * flight and restarted on the same port and data folder. Then the run quiesces and
 * checks (see `checks.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COLLECTIONS, DEFAULT_WORKSPACE_ID, type CollectionName } from '../../src/shared/collections';
import { signUpUser } from '../../server/test-support';
import { freePort, observerToken, setRole, startServer, waitFor, type RunningServer } from '../harness';
import { ChaosProxy, DEFAULT_RATES, noFaults, type FaultCounts, type FaultRates } from './chaos-proxy';
import { divergence, historyReader, lostWrites, resurrected, unexpectedDocuments, type ClientSnapshot } from './checks';
import { NodeClient } from './node-client';
import { performOperation, pickOperation, type LoggedWrite } from './operations';
import { Prng } from './prng';
import { serverDocuments, type ServerDocuments } from './server-state';

export interface RunOptions {
  readonly seed: number;
  readonly nodeClients?: number;
  readonly operationsPerClient?: number;
  readonly serverKills?: number;
  readonly rates?: FaultRates;
  /** How long quiescing may take before the run counts as not converged. */
  readonly convergenceTimeoutMs?: number;
  /** Other clients of the same run (Chromium devices): started after the server, driven alongside. */
  readonly extraClients?: ExtraClientFactory;
}

/** A client the run does not build itself: it acts during the run and is checked after it. */
export interface ExtraClient {
  /** Performs `operations` random operations. */
  act(operations: number): Promise<number>;
  /** Faults off, online: everything it holds should now sync. */
  quiesce(): Promise<void>;
  /** Differences to the server's state; empty once converged. */
  divergence(server: ServerDocuments): Promise<string[]>;
  /** Writes it made that are neither on the server nor visibly held. */
  lostWrites(server: ServerDocuments): Promise<string[]>;
  readonly faults: FaultCounts;
  close(): Promise<void>;
}

export type ExtraClientFactory = (run: { serverUrl: string; rng: Prng; onPushInFlight: () => void }) => Promise<ExtraClient[]>;

export interface SeedResult {
  readonly seed: number;
  readonly operations: number;
  readonly faults: FaultCounts;
  readonly writesLost: number;
  /** From quiescing until every client matched the server (ms); null when it never did. */
  readonly convergenceMs: number | null;
  /** Every failed check, one line each. */
  readonly failures: string[];
  /** Milliseconds spent per phase: setup (server, clients, shared lists), operations, quiesce and checks. */
  readonly phases: Readonly<Record<'setup' | 'operations' | 'checks', number>>;
}

const WORKSPACE = DEFAULT_WORKSPACE_ID;

/**
 * RxDB without its premium flag opens at most 13 collections per process (error COL23);
 * each client has five (lists, tasks, comments, outbox, recovered).
 */
export const MAX_NODE_CLIENTS = 2;

export async function runSeed(options: RunOptions): Promise<SeedResult> {
  const rng = new Prng(options.seed);
  const startedAt = Date.now();
  const clientCount = options.nodeClients ?? MAX_NODE_CLIENTS;
  if (clientCount > MAX_NODE_CLIENTS) throw new RangeError(`at most ${MAX_NODE_CLIENTS} Node clients per process (RxDB's open-collection limit)`);
  const operations = options.operationsPerClient ?? 30;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fieldbook-soak-'));
  const port = await freePort();
  let server: RunningServer = await startServer({ dataDir, port });
  const url = server.url;
  const ownerToken = await observerToken(url);
  const faults = noFaults();
  const clients: NodeClient[] = [];
  const extras: ExtraClient[] = [];
  const writes = new Map<string, LoggedWrite[]>();
  let killsLeft = options.serverKills ?? 1;
  let restarting: Promise<void> | undefined;
  const killRng = rng.fork();

  // Mid-push crash: the proxy has just sent a push upstream; the server dies under it.
  const onPushInFlight = () => {
    if (restarting || killsLeft === 0 || !killRng.chance(0.08)) return;
    killsLeft -= 1;
    faults.serverKill += 1;
    restarting = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await server.kill();
      server = await startServer({ dataDir, port });
    })().finally(() => (restarting = undefined));
  };

  try {
    const proxyRngs = Array.from({ length: clientCount }, () => rng.fork());
    // Each client joins `clients` as soon as it is open, so a failure to open another still
    // closes it (an open database or proxy would keep the process alive).
    const opened = await Promise.allSettled(proxyRngs.map(async (proxyRng, i) => {
      const user = await signUpUser(url);
      const role = i === 0 ? 'owner' : 'member';
      if (role === 'owner') await setRole(url, user.email, 'owner');
      const proxy = new ChaosProxy(new URL(url), proxyRng, options.rates ?? DEFAULT_RATES, onPushInFlight);
      proxy.setChaos(false);
      const proxyUrl = await proxy.start();
      try {
        const client = await NodeClient.open({ name: `n${i}`, userId: user.id, accessToken: user.accessToken, role }, proxy, proxyUrl, WORKSPACE);
        clients[i] = client;
        return client;
      } catch (error) {
        await proxy.stop();
        throw error;
      }
    }));
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    clients.forEach((c) => writes.set(c.identity.name, []));
    // A starting point everyone shares: two lists made by the owner, synced before the chaos.
    for (let i = 0; i < 2; i += 1) {
      const write = await performOperation(clients[0]!, 'createList', rng, -i - 1, WORKSPACE);
      writes.get('n0')!.push(write!);
    }
    await Promise.all(clients.map((c) => waitFor('the shared lists on every client', async () => (await c.db.lists.find().exec()).length >= 2, 30_000)));
    // Drawn whether or not there are extra clients, so the Node clients' scripts of a seed
    // are the same with and without them (`npm run soak -- --seed N` replays them).
    const extrasRng = rng.fork();
    extras.push(...(await options.extraClients?.({ serverUrl: url, rng: extrasRng, onPushInFlight }) ?? []));
    clients.forEach((c) => c.proxy.setChaos(true));
    const operationsAt = Date.now();

    let performed = 0;
    const scripts = clients.map(async (client, index) => {
      const script = rng.fork();
      const log = writes.get(client.identity.name)!;
      let offlineFor = 0;
      for (let step = 0; step < operations; step += 1) {
        if (offlineFor > 0 && (offlineFor -= 1) === 0) await client.setOnline(true);
        else if (offlineFor === 0 && script.chance(0.08)) {
          offlineFor = script.int(2, 6);
          await client.setOnline(false);
        }
        if (script.chance(0.05)) client.proxy.cutWebSockets();
        const write = await performOperation(client, pickOperation(script), script, index * 1000 + step, WORKSPACE);
        if (write) {
          log.push(write);
          performed += 1;
        }
        // Think time between a person's actions, so sync interleaves with the writes.
        await new Promise((resolve) => setTimeout(resolve, script.int(0, 80)));
      }
      if (!client.isOnline) await client.setOnline(true);
    });
    const extraOps = extras.map((e) => e.act(Math.max(4, Math.round(operations / 3))));
    await Promise.all(scripts);
    performed += (await Promise.all(extraOps)).reduce((a, b) => a + b, 0);
    while (restarting) await restarting;

    // Quiesce: faults off, everyone online and told to retry now; then wait for agreement.
    clients.forEach((c) => c.proxy.setChaos(false));
    const quiesceStart = Date.now();
    await Promise.all(extras.map((e) => e.quiesce()));
    let server$: ServerDocuments | undefined;
    let snapshots: ClientSnapshot[] = [];
    let lastProblems: string[] = [];
    const converged = await pollUntil(options.convergenceTimeoutMs ?? 60_000, async () => {
      clients.forEach((c) => c.retryNow());
      const unsettled = (await Promise.all(clients.map(async (c) =>
        (await c.entries()).filter((e) => e.state !== 'review' && e.state !== 'rejected').map((e) => `${c.identity.name} ${e.key} ${e.state} ${e.lastError ?? ''}`)))).flat();
      server$ = await serverDocuments(url, WORKSPACE, ownerToken);
      snapshots = await Promise.all(clients.map((c) => snapshot(c, writes.get(c.identity.name)!)));
      const diverging = snapshots.flatMap((s) => divergence(s, server$!));
      const extraDiverging = (await Promise.all(extras.map((e) => e.divergence(server$!)))).flat();
      const inFlight = clients.flatMap((c) => [...c.proxy.inFlight].map((r) => `${c.identity.name} waits on ${r}`));
      lastProblems = [...unsettled.map((u) => `unsettled: ${u}`), ...diverging, ...extraDiverging, ...inFlight];
      return lastProblems.length === 0;
    });
    const convergenceMs = converged ? Date.now() - quiesceStart : null;

    const failures: string[] = [];
    if (!converged) failures.push(...lastProblems.map((p) => `not converged after ${options.convergenceTimeoutMs ?? 60_000} ms: ${p}${trailOf(clients, p)}`));
    const serverState = server$ ?? (await serverDocuments(url, WORKSPACE, ownerToken));
    const history = historyReader(url, WORKSPACE, ownerToken);
    const lost = [
      ...(await Promise.all(snapshots.map((s) => lostWrites(s, history, serverState)))).flat(),
      ...(await Promise.all(extras.map((e) => e.lostWrites(serverState)))).flat(),
    ];
    failures.push(...lost.map((l) => `lost write: ${l}${trailOf(clients, l)}`));
    failures.push(...resurrected(snapshots, serverState).map((r) => `resurrected: ${r}`));
    if (extras.length === 0) failures.push(...unexpectedDocuments(snapshots, serverState, new Set()).map((d) => `duplicate: ${d}`));
    failures.push(...clients.flatMap((c) => c.violations));

    for (const c of clients) addFaults(faults, c.proxy.faults);
    for (const e of extras) addFaults(faults, e.faults);
    const phases = { setup: operationsAt - startedAt, operations: quiesceStart - operationsAt, checks: Date.now() - quiesceStart };
    return { seed: options.seed, operations: performed, faults, writesLost: lost.length, convergenceMs, failures, phases };
  } finally {
    await Promise.all(extras.map((e) => e.close().catch(() => undefined)));
    await Promise.all(clients.filter(Boolean).map(async (c) => {
      await c.close().catch(() => undefined);
      await c.proxy.stop();
    }));
    while (restarting) await restarting.catch(() => undefined);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The trail of the record a failure names, on the client it names, indented under it. */
function trailOf(clients: readonly NodeClient[], failure: string): string {
  const key = /\b(lists|tasks|comments):[0-9a-f-]{36}/.exec(failure)?.[0];
  const client = clients.find((c) => new RegExp(`\\b${c.identity.name}\\b`).test(failure));
  if (!key || !client) return '';
  return client.trail(key).map((line) => `\n      ${line}`).join('');
}

async function snapshot(client: NodeClient, writes: readonly LoggedWrite[]): Promise<ClientSnapshot> {
  const documents = {} as Record<CollectionName, Awaited<ReturnType<NodeClient['documents']>>>;
  for (const { name } of COLLECTIONS) documents[name] = await client.documents(name);
  return { name: client.identity.name, userId: client.identity.userId, documents, entries: await client.entries(), writes };
}

function addFaults(total: FaultCounts, more: FaultCounts): void {
  for (const key of Object.keys(more) as (keyof FaultCounts)[]) total[key] += more[key];
}

/** True once `condition` holds, false if `timeoutMs` passes first (the harness's `waitFor`). */
async function pollUntil(timeoutMs: number, condition: () => Promise<boolean>): Promise<boolean> {
  return waitFor('the condition', condition, timeoutMs).then(() => true, () => false);
}


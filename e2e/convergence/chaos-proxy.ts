/**
 * A seeded chaos proxy on loopback between one client and the real server. Each GraphQL
 * POST draws a fault from the client's PRNG: the request is dropped before the server
 * sees it, its answer is dropped after the server applied it (the retry-after-success
 * case), it is delayed, sent twice upstream (same body, same Idempotency-Key), or held
 * and released after the next request (reordered). WebSockets are piped and can be cut.
 * "Offline" refuses every connection, as a lost network would.
 *
 * Fault choices follow the seed, but which request meets which fault also depends on
 * timing (requests of a real client race), so a replayed seed reproduces the script
 * and the fault mix, not every byte.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Prng } from './prng';
import { tunnelUpgrade } from '../fault-proxy';

export const FAULT_KINDS = ['dropRequest', 'dropResponse', 'delay', 'duplicate', 'reorder', 'wsCut', 'serverKill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Record<FaultKind, number>;

export function noFaults(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;
}

/** Probability of each request fault per GraphQL request (the rest pass untouched). */
export interface FaultRates {
  readonly dropRequest: number;
  readonly dropResponse: number;
  readonly delay: number;
  readonly duplicate: number;
  readonly reorder: number;
}

export const DEFAULT_RATES: FaultRates = { dropRequest: 0.06, dropResponse: 0.06, delay: 0.12, duplicate: 0.06, reorder: 0.06 };

/** The longest a reordered request waits for a later one to overtake it. */
const REORDER_WINDOW_MS = 400;
const MAX_DELAY_MS = 600;

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class ChaosProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Duplex>();
  private readonly webSockets = new Set<Duplex>();
  private online = true;
  private chaos = true;
  /** Requests held back for reordering: released when a later request has gone through. */
  private held: (() => void)[] = [];
  readonly faults: FaultCounts = noFaults();
  /** GraphQL requests received and not answered yet (what a stuck run is waiting on). */
  readonly inFlight = new Set<string>();
  private serial = 0;

  constructor(
    private readonly target: URL,
    private readonly rng: Prng,
    private readonly rates: FaultRates = DEFAULT_RATES,
    /** Told when a push is on its way to the server (the run may crash the server then). */
    private readonly onPushInFlight: () => void = () => undefined,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (!this.online) return void socket.destroy();
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Offline: every open connection is cut and new ones are refused. */
  setOnline(online: boolean): void {
    this.online = online;
    if (!online) {
      this.releaseHeld();
      this.sockets.forEach((s) => s.destroy());
      this.webSockets.forEach((s) => s.destroy());
    }
  }

  /** Faults on or off (off while the run quiesces). */
  setChaos(chaos: boolean): void {
    this.chaos = chaos;
    if (!chaos) this.releaseHeld();
  }

  /** Cuts the live WebSockets (the server stays up); graphql-ws reconnects and RxDB re-syncs. */
  cutWebSockets(): void {
    if (this.webSockets.size === 0) return;
    this.faults.wsCut += 1;
    this.webSockets.forEach((s) => s.destroy());
  }

  async stop(): Promise<void> {
    this.setOnline(false);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.online) return void socket.destroy();
    this.webSockets.add(socket);
    socket.once('close', () => this.webSockets.delete(socket));
    tunnelUpgrade(this.target, req, socket, head);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const isGraphQL = req.method === 'POST' && (req.url ?? '').startsWith('/graphql');
    const fault = isGraphQL && this.chaos ? this.drawFault() : undefined;
    const isPush = isGraphQL && /mutation\s+Push/.test(body.toString('utf8'));
    if (fault) this.faults[fault] += 1;
    this.serial += 1;
    const label = `#${this.serial} ${fault ?? 'pass'} ${/(query|mutation)\s+(\w+)/.exec(body.toString('utf8'))?.[2] ?? req.url}`;
    this.inFlight.add(label);
    try {
      await this.respond(req, res, body, fault, isPush);
    } finally {
      this.inFlight.delete(label);
    }
  }

  private async respond(req: IncomingMessage, res: ServerResponse, body: Buffer, fault: FaultKind | undefined, isPush: boolean): Promise<void> {

    if (fault === 'dropRequest') return void req.socket.destroy();
    if (fault === 'delay') await this.wait(this.rng.int(50, MAX_DELAY_MS));
    if (fault === 'reorder') await this.holdForNext();
    else this.releaseHeld();

    if (isPush) this.onPushInFlight();
    const first = this.forward(req, body);
    if (fault === 'duplicate') void this.forward(req, body).catch(() => undefined);
    let answer: Upstream;
    try {
      answer = await first;
    } catch {
      // The server is down or crashed mid-request: what a client sees from a gateway.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      return void res.end('bad gateway');
    }
    if (fault === 'dropResponse') return void req.socket.destroy();
    const { 'transfer-encoding': _, ...headers } = answer.headers;
    void _;
    res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  private drawFault(): Exclude<FaultKind, 'wsCut' | 'serverKill'> | undefined {
    let roll = this.rng.next();
    for (const kind of ['dropRequest', 'dropResponse', 'delay', 'duplicate', 'reorder'] as const) {
      if (roll < this.rates[kind]) return kind;
      roll -= this.rates[kind];
    }
    return undefined;
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          const parts: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => parts.push(c));
          upstreamRes.on('end', () => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: Buffer.concat(parts) }));
          upstreamRes.on('error', reject);
          // The server died mid-answer: the body never ends.
          upstreamRes.on('close', () => upstreamRes.complete || reject(new Error('answer cut')));
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** Held until a later request passes (it overtakes this one) or the window closes. */
  private holdForNext(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(release, REORDER_WINDOW_MS);
      function release(): void {
        clearTimeout(timer);
        resolve();
      }
      this.held.push(release);
    });
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    // After the current turn, so the overtaking request is sent first.
    setImmediate(() => held.forEach((go) => go()));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

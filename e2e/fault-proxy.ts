/**
 * A loopback proxy between the browser and the real server that can misbehave on
 * command: answer 503 with Retry-After, or hold GraphQL requests until released. It is
 * how the tests make a real server look overloaded or slow; WebSocket upgrades are
 * piped through untouched.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type Matcher = (body: string) => boolean;

interface Rule {
  readonly matches: Matcher;
  readonly action: { kind: 'status'; status: number; retryAfter?: string } | { kind: 'hold' };
}

export const isPush: Matcher = (body) => /mutation\s+Push/.test(body);
export const isPull: Matcher = (body) => /query\s+Pull/.test(body);
export const isGraphQL: Matcher = () => true;

export class FaultProxy {
  private rules: Rule[] = [];
  private held: (() => void)[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:stream').Duplex>();
  /** GraphQL requests seen, with what was done to them. */
  readonly log: { body: string; outcome: string }[] = [];

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => void this.handle(req, res, target));
    this.server.on('upgrade', (req, socket, head) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      tunnelUpgrade(target, req, socket, head);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answer matching GraphQL requests with `status` until `pass()`. */
  failWith(status: number, matches: Matcher = isGraphQL, retryAfter?: string): void {
    this.rules.push({ matches, action: { kind: 'status', status, ...(retryAfter ? { retryAfter } : {}) } });
  }

  /** Hold matching GraphQL requests until `release()` or `pass()`. */
  hold(matches: Matcher): void {
    this.rules.push({ matches, action: { kind: 'hold' } });
  }

  /** Let held requests go on to the server. */
  release(): void {
    const held = this.held;
    this.held = [];
    held.forEach((go) => go());
  }

  /** Forward new requests again, but keep holding those already held until `release()`. */
  forwardNew(): void {
    this.rules = [];
  }

  /** Stop misbehaving: forward everything, release what is held. */
  pass(): void {
    this.rules = [];
    this.release();
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Cuts every live WebSocket through the proxy (the server stays up). */
  cutWebSockets(): void {
    this.sockets.forEach((socket) => socket.destroy());
  }

  async stop(): Promise<void> {
    this.pass();
    this.cutWebSockets();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url?.startsWith('/graphql') && req.method === 'POST') {
      const text = body.toString('utf8');
      const rule = this.rules.find((r) => r.matches(text));
      if (rule?.action.kind === 'status') {
        this.log.push({ body: text, outcome: String(rule.action.status) });
        res.writeHead(rule.action.status, { 'content-type': 'text/plain', ...(rule.action.retryAfter ? { 'retry-after': rule.action.retryAfter } : {}) });
        res.end('unavailable');
        return;
      }
      if (rule?.action.kind === 'hold') {
        this.log.push({ body: text, outcome: 'held' });
        await new Promise<void>((resolve) => this.held.push(resolve));
      } else {
        this.log.push({ body: text, outcome: 'forwarded' });
      }
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}

/**
 * Pipes a WebSocket upgrade through to `target` as it came (request line, headers, the
 * bytes already read); either side closing or failing closes the other.
 */
export function tunnelUpgrade(target: URL, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const upstream = connect(Number(target.port), target.hostname, () => {
    const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\r\n');
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  upstream.on('close', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
}

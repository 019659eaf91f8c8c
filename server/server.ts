/**
 * One HTTP server: `/graphql` is graphql-yoga over HTTP and graphql-ws over WebSocket
 * on the same path; `/health`, `/ready` and `/metrics` serve operations; every other
 * path serves the built Angular app.
 *
 * Instances are stateless: with `DATABASE_URL`, any number of them can run on one
 * PostgreSQL behind a load balancer; live changes reach every instance's subscribers
 * through LISTEN/NOTIFY (`pg-notifier.ts`).
 *
 * Graceful stop (SIGTERM): `/ready` turns 503 so the balancer stops routing here, the
 * listening socket closes, new requests on kept-alive connections get 503, in-flight
 * requests (pushes) finish, then WebSocket clients are closed with 1012 (Service
 * Restart), a code graphql-ws clients answer by reconnecting (to another instance),
 * after which RxDB re-syncs from its checkpoint.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGraphQLError, createYoga } from 'graphql-yoga';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/lib/use/ws';
import { WebSocketServer } from 'ws';
import { isProduction, type ServerConfig } from './config';
import { ChangeFeedHub, InProcessNotifier, type ChangeNotifier } from './feed';
import type { GraphQLContext } from './graphql/context';
import { buildSchema } from './graphql/schema';
import { createStaticHandler } from './static';
import { AuthService } from './auth/auth-service';
import { resolveAuthSecret } from './auth/secret';
import { WorkspaceService } from './auth/workspace-service';
import { createJsonLogger, type Logger } from './log';
import { ServerMetrics } from './metrics';
import { PgNotifier } from './pg-notifier';
import { admitGraphQLRequest, corsOptions, hardeningPlugins, MAX_BODY_BYTES, WRITE_ID_HEADER } from './hardening';
import { AccessTokenService, isPersonalAccessToken } from './auth/access-tokens';
import { openStore } from './store/open-store';
import { WS_CLOSE_UNAUTHORIZED } from '../src/shared/operations';
import type { Store } from './store/store';

export const GRAPHQL_PATH = '/graphql';

function bearerToken(value: unknown): string | undefined {
  return typeof value === 'string' ? /^Bearer\s+(.+)$/i.exec(value)?.[1] : undefined;
}
/** graphql-ws message types only a server sends. */
const SERVER_ONLY_MESSAGES = new Set<unknown>(['connection_ack', 'next', 'error']);

/** WebSocket close code on shutdown: graphql-ws clients reconnect on it. */
export const SHUTDOWN_CLOSE_CODE = 1012;

export interface FieldbookServer {
  /** Listens on the configured port (0 picks a free one); resolves with the base URL. */
  start(): Promise<{ url: string }>;
  /** Closes WebSocket clients, the HTTP server and the store. */
  stop(): Promise<void>;
  readonly store: Store;
  readonly feed: ChangeFeedHub;
  readonly metrics: ServerMetrics;
  /** Runs the purge job once (receipts past their TTL, tombstones past retention). */
  runMaintenance(): Promise<void>;
}

export interface ServerDependencies {
  /** Announces committed changes; in-process unless several instances share a database. */
  readonly notifier?: ChangeNotifier;
  /** Where structured logs go; JSON lines on stdout by default. */
  readonly logger?: Logger;
}

interface EnvelopedArgs extends ExecutionArgs {
  readonly rootValue: {
    execute(args: ExecutionArgs): unknown;
    subscribe(args: ExecutionArgs): unknown;
  };
}

export async function buildServer(config: ServerConfig, dependencies: ServerDependencies = {}): Promise<FieldbookServer> {
  const logger = dependencies.logger ?? createJsonLogger(config.nodeEnv === 'test' ? 'warn' : 'info');
  const store = await openStore(config);
  // Several instances on one PostgreSQL must hear each other's changes.
  const pgNotifier = !dependencies.notifier && config.databaseUrl
    ? await PgNotifier.open(config.databaseUrl, { onError: (error) => logger.warn('change notifier connection problem', error) })
    : undefined;
  const notifier = dependencies.notifier ?? pgNotifier ?? new InProcessNotifier();
  const feed = new ChangeFeedHub(store, notifier, {
    onError: (error) => logger.error('change feed fetch failed', error),
  });
  const metrics = new ServerMetrics(() => feed.openStreams);
  const auth = new AuthService(store.accounts, {
    secret: await resolveAuthSecret(config),
    defaultWorkspaceId: config.defaultWorkspaceId,
    signUpLimitPerHour: config.signUpLimitPerHour,
    signInLimitPerMinute: config.signInLimitPerMinute,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });

  const workspaces = new WorkspaceService(store.accounts);
  const accessTokens = new AccessTokenService(store.publicApi, store.accounts);

  /** Who a bearer token belongs to: `fbp_…` is a personal access token (public API), anything else a sign-in token. */
  async function authenticate(token: string | undefined) {
    const personal = token && isPersonalAccessToken(token) ? await accessTokens.authenticate(token) : undefined;
    const result = token && !personal ? await auth.authenticate(token) : undefined;
    return { personal, result };
  }

  /**
   * Each request's context: who is calling and from where. Over HTTP the token is the
   * `Authorization` header; over WebSocket (browsers cannot set headers there) it is the
   * `authorization` connection parameter, checked again for every subscription.
   */
  async function contextFor(initial: { request?: Request; req?: IncomingMessage; connectionParams?: Record<string, unknown> }): Promise<GraphQLContext> {
    const token = bearerToken(initial.request?.headers.get('authorization') ?? initial.connectionParams?.['authorization']);
    const { personal, result } = await authenticate(token);
    return {
      store,
      feed,
      auth,
      workspaces,
      accessTokens,
      config,
      actorId: personal?.ok ? personal.userId : result?.ok ? result.user.id : null,
      authError: personal && !personal.ok ? personal.reason : result && !result.ok ? result.reason : null,
      tokenScope: personal?.ok ? personal.scope : null,
      clientKey: initial.req?.socket.remoteAddress ?? 'unknown',
      metrics,
      writeId: initial.request?.headers.get(WRITE_ID_HEADER) ?? null,
    };
  }

  const yoga = createYoga({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: isProduction(config) ? false : { subscriptionsProtocol: 'WS' },
    maskedErrors: true,
    landingPage: false,
    logging: logger,
    context: (initial) => contextFor(initial as { request?: Request; req?: IncomingMessage }),
    cors: corsOptions(config.corsOrigins),
    plugins: hardeningPlugins(isProduction(config)),
  });
  const serveStatic = createStaticHandler(config.staticDir);

  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  async function readiness(): Promise<string | null> {
    if (draining) return 'shutting down';
    if (pgNotifier && !pgNotifier.listening) return 'change notifier disconnected';
    return store.readiness();
  }

  /** Operations endpoints; true when `pathname` was one of them. */
  function serveOperations(pathname: string, res: ServerResponse): boolean {
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    switch (pathname) {
      case '/health':
        json(200, { status: 'ok' });
        return true;
      case '/ready':
        void readiness().then((problem) => json(problem ? 503 : 200, problem ? { status: 'unavailable', reason: problem } : { status: 'ready' }));
        return true;
      case '/metrics':
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(metrics.render());
        return true;
      default:
        return false;
    }
  }

  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    if (serveOperations(pathname, res)) return;
    if (pathname === GRAPHQL_PATH) {
      if (draining) {
        // A kept-alive connection after shutdown began: send the client elsewhere.
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1', Connection: 'close' });
        res.end('Shutting down\n');
        return;
      }
      if (!admitGraphQLRequest(req, res)) return;
      inFlight += 1;
      res.once('close', () => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
      void yoga(req, res);
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      logger.error('static file failed', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal error\n');
    });
  });

  // Frames are held to the HTTP body limit: a larger one closes the socket with 1009 (Message Too Big).
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
  // graphql-ws runs operations through yoga's envelop, so subscriptions get the same
  // schema, context and error masking as HTTP requests.
  const wsHandler = useServer(
    {
      // graphql-ws answers a client message of a type only servers send (connection_ack,
      // next, error) by throwing, i.e. closing with 4500 Internal Error; refusing it while
      // parsing makes it 4400 Bad Request like any other invalid message.
      jsonMessageReviver: (key, value) => {
        if (key === '' && SERVER_ONLY_MESSAGES.has((value as { type?: unknown } | null)?.type)) throw new Error('Not a client message');
        return value;
      },
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      // A connection needs a valid sign-in token, and lives no longer than it: at expiry the
      // socket closes with WS_CLOSE_UNAUTHORIZED and the client reconnects with a fresh one.
      onConnect: async (ctx) => {
        const { personal, result } = await authenticate(bearerToken(ctx.connectionParams?.['authorization']));
        if (!result?.ok || personal) {
          const reason = personal ? 'personal access tokens cannot subscribe' : result && !result.ok ? result.reason : 'sign in first';
          ctx.extra.socket.close(WS_CLOSE_UNAUTHORIZED, `Unauthorized: ${reason}`);
          return false;
        }
        const timer = setTimeout(() => ctx.extra.socket.close(WS_CLOSE_UNAUTHORIZED, 'Unauthorized: token expired'),
          Math.max(0, result.expiresAt * 1000 - Date.now()));
        timer.unref();
        ctx.extra.socket.once('close', () => clearTimeout(timer));
        return true;
      },
      onSubscribe: async (ctx, message) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: message.payload });
        let document;
        try {
          document = enveloped.parse(message.payload.query);
        } catch (error) {
          // Typed as over HTTP, where yoga gives syntax errors this code (fuzz: they came without one).
          const parseError = error as GraphQLError;
          if (parseError.extensions?.['code'] !== undefined) return [parseError];
          return [createGraphQLError(parseError.message, { source: parseError.source, positions: parseError.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const contextValue = await enveloped.contextFactory();
        if (contextValue.authError) {
          ctx.extra.socket.close(WS_CLOSE_UNAUTHORIZED, `Unauthorized: ${contextValue.authError}`);
          return [];
        }
        const args: EnvelopedArgs = {
          schema: enveloped.schema,
          operationName: message.payload.operationName,
          document,
          variableValues: message.payload.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
    },
    wsServer,
  );

  async function runMaintenance(): Promise<void> {
    const now = Date.now();
    const receipts = await store.purgeReceipts(new Date(now - config.writeIdTtlMs));
    const tombstones = await store.purgeTombstones(new Date(now - config.tombstoneRetentionMs));
    if (receipts + tombstones > 0) logger.info('purged expired data', { receipts, tombstones });
  }
  // Every instance runs it; the deletes are idempotent, so concurrent runs only repeat work.
  const maintenance = setInterval(() => {
    runMaintenance().catch((error: unknown) => logger.error('maintenance failed', error));
  }, config.maintenanceIntervalMs);
  maintenance.unref();

  let stopped = false;
  return {
    store,
    feed,
    metrics,
    runMaintenance,
    async start() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const { port } = httpServer.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}` };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      draining = true;
      clearInterval(maintenance);
      const closed = new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
      });
      httpServer.closeIdleConnections();
      if (inFlight > 0) {
        logger.info('waiting for in-flight requests', { inFlight });
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, config.shutdownGraceMs).unref();
        });
      }
      // Wait for each close handshake, so the code reaches the client before the process exits.
      await Promise.all([...wsServer.clients].map((socket) => new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        setTimeout(resolve, 2_000).unref();
        socket.close(SHUTDOWN_CLOSE_CODE, 'Service restart');
      })));
      await wsHandler.dispose();
      httpServer.closeAllConnections();
      await closed;
      feed.close();
      await pgNotifier?.close();
      await store.close();
    },
  };
}

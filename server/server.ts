/**
 * One HTTP server: `/graphql` is graphql-yoga over HTTP and graphql-ws over WebSocket
 * on the same path; every other path serves the built Angular app.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createYoga } from 'graphql-yoga';
import type { ExecutionArgs } from 'graphql';
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
import { AccessTokenService, isPersonalAccessToken } from './auth/access-tokens';
import { admitGraphQLRequest, corsOptions, hardeningPlugins } from './hardening';
import { openStore } from './store/open-store';
import type { Store } from './store/store';

export const GRAPHQL_PATH = '/graphql';

export interface FieldbookServer {
  /** Listens on the configured port (0 picks a free one); resolves with the base URL. */
  start(): Promise<{ url: string }>;
  /** Closes WebSocket clients, the HTTP server and the store. */
  stop(): Promise<void>;
  readonly store: Store;
  readonly feed: ChangeFeedHub;
}

export interface ServerDependencies {
  /** Announces committed changes; in-process unless several instances share a database. */
  readonly notifier?: ChangeNotifier;
}

interface EnvelopedArgs extends ExecutionArgs {
  readonly rootValue: {
    execute(args: ExecutionArgs): unknown;
    subscribe(args: ExecutionArgs): unknown;
  };
}

export async function buildServer(config: ServerConfig, dependencies: ServerDependencies = {}): Promise<FieldbookServer> {
  const logger = createLogger(config.nodeEnv === 'test' ? 'warn' : 'info');
  const store = await openStore(config);
  const feed = new ChangeFeedHub(store, dependencies.notifier ?? new InProcessNotifier(), {
    onError: (error) => logger.error('change feed fetch failed', error),
  });
  const auth = new AuthService(store.accounts, { secret: await resolveAuthSecret(config), defaultWorkspaceId: config.defaultWorkspaceId });

  const workspaces = new WorkspaceService(store.accounts);
  const accessTokens = new AccessTokenService(store.publicApi, store.accounts);

  /** Each request's context: who is calling (bearer token) and from where. */
  async function contextFor(initial: { request?: Request; req?: IncomingMessage }): Promise<GraphQLContext> {
    const header = initial.request?.headers.get('authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    // `fbp_…` is a personal access token (public API); anything else a sign-in token.
    const personal = token && isPersonalAccessToken(token) ? await accessTokens.authenticate(token) : undefined;
    const result = token && !personal ? await auth.authenticate(token) : undefined;
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

  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === GRAPHQL_PATH) {
      if (admitGraphQLRequest(req, res)) void yoga(req, res);
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      logger.error('static file failed', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal error\n');
    });
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  // graphql-ws runs operations through yoga's envelop, so subscriptions get the same
  // schema, context and error masking as HTTP requests.
  const wsHandler = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, message) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: message.payload });
        let document;
        try {
          document = enveloped.parse(message.payload.query);
        } catch (error) {
          return [error as never];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const args: EnvelopedArgs = {
          schema: enveloped.schema,
          operationName: message.payload.operationName,
          document,
          variableValues: message.payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
    },
    wsServer,
  );

  let stopped = false;
  return {
    store,
    feed,
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
      await wsHandler.dispose();
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      feed.close();
      await store.close();
    },
  };
}

/**
 * Protections in front of and inside the GraphQL endpoint:
 * - request size: bodies over `MAX_BODY_BYTES` are refused with 413 before yoga reads them;
 * - CSRF: a POST must carry a JSON content type (which a cross-site form cannot send
 *   without a CORS preflight) and a query over GET must carry the client header;
 * - CORS: only the configured origins (Capacitor's by default) may call from another origin;
 * - operation limits (graphql-armor): depth, aliases, tokens, directives and cost;
 * - introspection off in production;
 * - security headers for the served app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { Lexer, NoSchemaIntrospectionCustomRule, Source, TokenKind } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

/** Largest request body accepted (a full push batch of large tasks fits). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The header the app sends on every request; requests over GET must carry it. */
export const CLIENT_HEADER = 'x-fieldbook-client';
/** Carries the client's write id on pushes (see `store/store.ts` `PushOptions`). */
export const WRITE_ID_HEADER = 'idempotency-key';

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Checks an HTTP request to `/graphql` before yoga sees it. Returns false (and has
 * answered) when the request is refused.
 */
export function admitGraphQLRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'OPTIONS') return true;
  if (req.method === 'POST') {
    const length = Number(req.headers['content-length'] ?? NaN);
    if (!Number.isFinite(length)) {
      refuse(res, 411, 'LENGTH_REQUIRED', 'A request body must declare its Content-Length');
      return false;
    }
    if (length > MAX_BODY_BYTES) {
      refuse(res, 413, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      return false;
    }
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (!JSON_TYPES.includes(type)) {
      refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'GraphQL requests must be sent as application/json');
      return false;
    }
    return true;
  }
  if (req.method === 'GET') {
    const wantsPage = (req.headers['accept'] ?? '').includes('text/html');
    const hasQuery = (req.url ?? '').includes('query=');
    if (hasQuery && !wantsPage && !req.headers[CLIENT_HEADER]) {
      refuse(res, 403, 'CSRF_HEADER_REQUIRED', `GraphQL requests over GET must carry the ${CLIENT_HEADER} header`);
      return false;
    }
  }
  return true;
}

/** Most tokens one GraphQL document may have (the app's largest operation has ~60). */
export const MAX_TOKENS = 2000;

/** Counts a document's tokens, stopping once past `limit`. */
export function countTokens(source: string, limit: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  while (count <= limit && lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

/**
 * Refuses documents with too many tokens before they are parsed. (graphql-armor's own
 * token limit swaps the parser, which yoga's parse cache bypasses.)
 */
function tokenLimit(max: number): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (countTokens(source, max) > max) {
        throw createGraphQLError(`Syntax Error: Token limit of ${max} exceeded.`, { extensions: { code: 'BAD_USER_INPUT' } });
      }
    },
  };
}

/** Yoga plugins: operation limits always; introspection off in production. */
export function hardeningPlugins(production: boolean): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: 8, ignoreIntrospection: false, flattenFragments: true },
    maxAliases: { n: 5 },
    maxDirectives: { n: 10 },
    costLimit: { maxCost: 5000 },
    blockFieldSuggestion: { enabled: production },
  });
  const plugins: Plugin[] = [tokenLimit(MAX_TOKENS), armor as Plugin];
  if (production) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    });
  }
  return plugins;
}

/** Origins allowed to call the API from another origin: the Capacitor apps by default. */
export const DEFAULT_CORS_ORIGINS = ['capacitor://localhost', 'http://localhost', 'https://localhost'] as const;

export function corsOptions(origins: readonly string[]) {
  return {
    origin: [...origins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', CLIENT_HEADER, WRITE_ID_HEADER, 'ngsw-bypass'],
    credentials: false,
    maxAge: 600,
  };
}

/** Headers for every page and file of the served app. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self' ws: wss:; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

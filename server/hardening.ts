/**
 * Protections in front of and inside the GraphQL endpoint:
 * - request size: bodies over `MAX_BODY_BYTES` are refused with 413 before yoga reads them;
 * - CSRF: a POST must carry a JSON content type (which a cross-site form cannot send
 *   without a CORS preflight) and a query over GET must carry the client header;
 * - CORS: only the configured origins (Capacitor's by default) may call from another origin;
 * - GET parameters: `variables` and `extensions` must be JSON (400 otherwise);
 * - operation limits (graphql-armor): depth, aliases, tokens, directives and cost;
 * - typed errors: variables that do not fit their types, and text the database cannot
 *   store (NUL, unpaired surrogates), are `BAD_USER_INPUT`;
 * - introspection off in production;
 * - security headers for the served app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, Lexer, NoSchemaIntrospectionCustomRule, Source, TokenKind, visit, type DocumentNode, type ExecutionResult, type ValidationContext } from 'graphql';
import { createGraphQLError, isAsyncIterable } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import { MAX_PUSH_ROWS } from './graphql/schema';

/** Largest request body accepted (a full push batch of large tasks fits). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The header the app sends on every request; requests over GET must carry it. */
export const CLIENT_HEADER = 'x-fieldbook-client';
/** Carries the client's write id on pushes (see `store/store.ts` `PushOptions`). */
export const WRITE_ID_HEADER = 'idempotency-key';

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

/**
 * Answers a request refused before its body was read. The connection closes after the
 * answer: the unread body is still arriving, and a client must not send its next request behind it.
 */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
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
    const malformed = malformedJsonParameter(req.url ?? '');
    if (malformed) {
      refuse(res, 400, 'BAD_REQUEST', `The ${malformed} parameter must be JSON`);
      return false;
    }
  }
  return true;
}

/**
 * The GET parameter that yoga would parse as JSON and cannot (yoga's own parse throws a
 * plain SyntaxError, answered as a masked 500).
 */
function malformedJsonParameter(url: string): string | undefined {
  const search = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    return 'query string';
  }
  for (const name of ['variables', 'extensions']) {
    const value = params.get(name);
    if (value === null) continue;
    try {
      JSON.parse(value);
    } catch {
      return name;
    }
  }
  return undefined;
}

/** Most tokens one GraphQL document may have (the app's largest operation has ~60). */
export const MAX_TOKENS = 2000;

/**
 * Counts a document's tokens, stopping once past `limit` or at the first character the
 * lexer rejects (the parser then reports that syntax error, typed GRAPHQL_PARSE_FAILED).
 */
export function countTokens(source: string, limit: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count <= limit && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    return count;
  }
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

/**
 * Gives `BAD_USER_INPUT` to the errors graphql-js raises before executing anything
 * (variables missing or not of their declared types), which carry no code of their own.
 * A result without `data` is exactly such a refusal: nothing was executed.
 */
function typedVariableErrors(): Plugin {
  const typed = (result: ExecutionResult): ExecutionResult => {
    if (result.data !== undefined || !result.errors?.some((e) => e.extensions?.['code'] === undefined)) return result;
    const errors = result.errors.map((e) => e.extensions?.['code'] !== undefined ? e : new GraphQLError(e.message, {
      nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError,
      extensions: { ...e.extensions, code: 'BAD_USER_INPUT' },
    }));
    return { ...result, errors };
  };
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(typed(result));
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(typed(result));
      },
    }),
  };
}

/** U+0000 and unpaired surrogates: PostgreSQL cannot store them in text or JSON, and UTF-8 cannot carry a lone surrogate. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string (value or key) in `value` that cannot be stored; iterative, as variables may nest deeply. */
function unstorableText(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (UNSTORABLE.test(next)) return next;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, child] of Object.entries(next)) {
        if (UNSTORABLE.test(key)) return key;
        pending.push(child);
      }
    }
  }
  return undefined;
}

function unstorableLiteral(document: DocumentNode): string | undefined {
  let found: string | undefined;
  visit(document, {
    [Kind.STRING](node) {
      if (found === undefined && UNSTORABLE.test(node.value)) found = node.value;
    },
  });
  return found;
}

/**
 * Refuses an operation whose variables or string literals hold text the database cannot
 * store (BAD_USER_INPUT), before any resolver runs: otherwise the driver fails deep in a
 * write and the client gets a masked internal error.
 */
function storableText(): Plugin {
  const refusal = (document: DocumentNode, variables: unknown): ExecutionResult | undefined => {
    if (unstorableText(variables) === undefined && unstorableLiteral(document) === undefined) return undefined;
    return { errors: [createGraphQLError('Text must not contain NUL characters (U+0000) or unpaired UTF-16 surrogates', { extensions: { code: 'BAD_USER_INPUT' } })] };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args.document, args.variableValues);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args.document, args.variableValues);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

/**
 * Refuses a variable list longer than `max` items (a push of thousands of rows) before
 * graphql-js coerces it item by item, which holds the event loop for as long as it takes.
 */
function listLimit(max: number): Plugin {
  const refusal = (variables: unknown): ExecutionResult | undefined => {
    if (!variables || typeof variables !== 'object') return undefined;
    const tooLong = Object.values(variables).some((value) => Array.isArray(value) && value.length > max);
    return tooLong ? { errors: [createGraphQLError(`A list may carry at most ${max} items`, { extensions: { code: 'BAD_USER_INPUT' } })] } : undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args.variableValues);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

/** Yoga plugins: operation limits and typed input errors always; introspection off in production. */
export function hardeningPlugins(production: boolean): Plugin[] {
  // Reported as validation errors (GRAPHQL_VALIDATION_FAILED, 400) rather than thrown
  // out of validation, where they would reach the client without a code.
  const asValidationError = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: 8, ignoreIntrospection: false, flattenFragments: true, ...asValidationError },
    maxAliases: { n: 5, ...asValidationError },
    maxDirectives: { n: 10, ...asValidationError },
    costLimit: { maxCost: 5000, ...asValidationError },
    blockFieldSuggestion: { enabled: production },
  });
  const plugins: Plugin[] = [tokenLimit(MAX_TOKENS), armor as Plugin, typedVariableErrors(), storableText(), listLimit(MAX_PUSH_ROWS)];
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

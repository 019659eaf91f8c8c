/** Each protection of the endpoint, shown by sending the bad request and reading the typed refusal. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BACKENDS, signUpUser, startTestServer, type TestServer, WORKSPACE } from './test-support';
import WebSocket from 'ws';
import { CLIENT_HEADER, MAX_BODY_BYTES } from './hardening';
import { MAX_PUSH_ROWS } from './graphql/schema';

const PULL = `query($w: ID!) { pullTasks(workspaceId: $w, checkpoint: null, limit: 1) { documents { id } } }`;

/** A server in `nodeEnv` for the enclosing describe block. */
function serverIn(nodeEnv: string): { readonly url: string } {
  const holder = { env: undefined as TestServer | undefined, get url() { return this.env!.url; } };
  before(async () => {
    holder.env = await startTestServer(BACKENDS[0]!, { nodeEnv });
  });
  after(() => holder.env?.dispose());
  return holder;
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the assertion on status says enough
  }
  return { status: response.status, json, headers: response.headers };
}

describe('hardened endpoint', () => {
  const env = serverIn('test');

  it('refuses a body over the limit with 413 before reading it', async () => {
    const big = JSON.stringify({ query: PULL, variables: { w: WORKSPACE, pad: 'x'.repeat(MAX_BODY_BYTES) } });
    const result = await post(env.url, big);
    assert.equal(result.status, 413);
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a cross-site form post (CSRF) with 415', async () => {
    const result = await post(env.url, `query=${encodeURIComponent(PULL)}`, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(result.status, 415);
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a GET query without the client header, and answers it with the header', async () => {
    const query = `${env.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const bare = await fetch(query);
    assert.equal(bare.status, 403);
    assert.equal(((await bare.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'CSRF_HEADER_REQUIRED');
    const withHeader = await fetch(query, { headers: { [CLIENT_HEADER]: 'test' } });
    assert.equal(withHeader.status, 200);
  });

  it('refuses a query nested deeper than the limit', async () => {
    const deep = `{ ${'__schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } }'} }`;
    const result = await post(env.url, JSON.stringify({ query: deep }));
    assert.match(result.json.errors?.[0]?.message ?? '', /depth/i);
    assert.equal(result.json.data, undefined);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `a${i}: pullTasks(workspaceId: "${WORKSPACE}", checkpoint: null, limit: 1) { checkpoint { seq } }`).join(' ');
    const result = await post(env.url, JSON.stringify({ query: `{ ${aliases} }` }));
    assert.match(result.json.errors?.[0]?.message ?? '', /alias/i);
  });

  it('refuses a document with too many tokens', async () => {
    const fields = Array.from({ length: 1200 }, () => '__typename').join(' ');
    const result = await post(env.url, JSON.stringify({ query: `{ ${fields} }` }));
    assert.match(result.json.errors?.[0]?.message ?? '', /token/i);
  });

  it('lets a Capacitor app origin call the API (CORS) and not an unknown site', async () => {
    const preflight = (origin: string) => fetch(`${env.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const capacitor = await preflight('capacitor://localhost');
    assert.equal(capacitor.headers.get('access-control-allow-origin'), 'capacitor://localhost');
    const evil = await preflight('https://evil.example');
    assert.notEqual(evil.headers.get('access-control-allow-origin'), 'https://evil.example');
    assert.notEqual(evil.headers.get('access-control-allow-origin'), '*');
  });

  it('refuses GET variables that are not JSON with a typed 400 (was a masked 500)', async () => {
    const response = await fetch(`${env.url}/graphql?query=${encodeURIComponent('{ __typename }')}&variables=%7B`, { headers: { [CLIENT_HEADER]: 'test' } });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'BAD_REQUEST');
  });

  it('types the limits\' refusals as validation failures', async () => {
    const deep = `{ ${'__schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } }'} }`;
    const result = await post(env.url, JSON.stringify({ query: deep }));
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('types a variable of the wrong type as BAD_USER_INPUT', async () => {
    const result = await post(env.url, JSON.stringify({ query: PULL, variables: { w: { id: 'x' } } }));
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('types a character the lexer rejects as a parse failure', async () => {
    const result = await post(env.url, JSON.stringify({ query: '{ me \u0001 }' }));
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  });

  it('refuses text the database cannot store (NUL, lone surrogates) as BAD_USER_INPUT and writes nothing', async () => {
    const user = await signUpUser(env.url);
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const push = 'mutation($w: ID!, $rows: [ListPushRow!]!) { pushLists(workspaceId: $w, rows: $rows) { rejections { code } } }';
    for (const name of ['a\u0000b', 'x\ud800']) {
      const row = { id: `nul-${name.length}-${name.charCodeAt(1)}`, workspaceId: WORKSPACE, revision: 1, name, archived: false, createdAt: '2025-01-01T00:00:00.000Z', deleted: false };
      const result = await post(env.url, JSON.stringify({ query: push, variables: { w: WORKSPACE, rows: [{ assumedMasterState: null, newDocumentState: row }] } }), auth);
      assert.equal(result.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(name));
    }
    const literal = await post(env.url, JSON.stringify({ query: '{ task(id: "a\\u0000") { id } }' }), auth);
    assert.equal(literal.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const pulled = await post(env.url, JSON.stringify({ query: 'query($w: ID!) { pullLists(workspaceId: $w, checkpoint: null, limit: 100) { documents { id } } }', variables: { w: WORKSPACE } }), auth);
    assert.deepEqual(pulled.json.data, { pullLists: { documents: [] } });
  });

  it('refuses a push of more rows than the limit as BAD_USER_INPUT and writes none of them', async () => {
    const user = await signUpUser(env.url);
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const rows = Array.from({ length: MAX_PUSH_ROWS + 1 }, (_, i) => ({ assumedMasterState: null, newDocumentState: {
      id: `many-${i}`, workspaceId: WORKSPACE, revision: 1, name: `List ${i}`, archived: false, createdAt: '2025-01-01T00:00:00.000Z', deleted: false } }));
    const push = 'mutation($w: ID!, $rows: [ListPushRow!]!) { pushLists(workspaceId: $w, rows: $rows) { rejections { code } } }';
    const result = await post(env.url, JSON.stringify({ query: push, variables: { w: WORKSPACE, rows } }), auth);
    assert.equal(result.json.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const pulled = await post(env.url, JSON.stringify({ query: 'query($w: ID!) { pullLists(workspaceId: $w, checkpoint: null, limit: 1000) { documents { id } } }', variables: { w: WORKSPACE } }), auth);
    assert.ok(!(pulled.json.data as { pullLists: { documents: { id: string }[] } }).pullLists.documents.some((d) => d.id.startsWith('many-')));
  });

  it('closes a WebSocket that sends a server-only message with 4400, not 4500', async () => {
    const user = await signUpUser(env.url);
    const socket = new WebSocket(`${env.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => {
      socket.on('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.accessToken}` } }));
        socket.send(JSON.stringify({ type: 'connection_ack' }));
      });
      socket.on('close', (closeCode) => resolve(closeCode));
    });
    assert.equal(code, 4400);
  });

  it('types a subscription that does not parse as GRAPHQL_PARSE_FAILED over WebSocket too', async () => {
    const user = await signUpUser(env.url);
    const socket = new WebSocket(`${env.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const errors = await new Promise<{ extensions?: { code?: string } }[]>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.accessToken}` } })));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; payload: { extensions?: { code?: string } }[] };
        if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription {' } }));
        if (message.type === 'error') resolve(message.payload);
      });
    });
    socket.close();
    assert.equal(errors[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  });

  it('closes a WebSocket whose frame is over the body limit with 1009', async () => {
    const socket = new WebSocket(`${env.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_BODY_BYTES) } })));
      socket.on('error', () => undefined);
      socket.on('close', (closeCode) => resolve(closeCode));
    });
    assert.equal(code, 1009);
  });

  it('answers introspection outside production', async () => {
    const result = await post(env.url, JSON.stringify({ query: '{ __schema { queryType { name } } }' }));
    assert.deepEqual(result.json.data, { __schema: { queryType: { name: 'Query' } } });
  });

  it('serves the app with security headers', async () => {
    const response = await fetch(`${env.url}/`);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('hardened endpoint in production', () => {
  const env = serverIn('production');

  it('refuses introspection', async () => {
    const result = await post(env.url, JSON.stringify({ query: '{ __schema { queryType { name } } }' }));
    assert.match(result.json.errors?.[0]?.message ?? '', /introspection/i);
  });

  it('does not serve GraphiQL', async () => {
    const response = await fetch(`${env.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(await response.text(), /graphiql/i);
  });

  it('still answers the app\'s operations', async () => {
    const user = await signUpUser(env.url);
    const result = await post(env.url, JSON.stringify({ query: PULL, variables: { w: WORKSPACE } }), { authorization: `Bearer ${user.accessToken}` });
    assert.deepEqual(result.json.errors, undefined);
  });
});

describe('hardened endpoint: sign-up limit', () => {
  let env: TestServer;
  before(async () => {
    env = await startTestServer(BACKENDS[0]!, { signUpLimitPerHour: 2 });
  });
  after(() => env?.dispose());

  const signUp = (n: number) => post(env.url, JSON.stringify({
    query: 'mutation($e: String!) { signUp(email: $e, password: "long enough password") { accessToken } }',
    variables: { e: `limited${n}@example.org` },
  }));

  it('answers sign-ups past the hourly limit with 429, Retry-After and RATE_LIMITED', async () => {
    assert.ok((await signUp(1)).json.data);
    assert.ok((await signUp(2)).json.data);
    const limited = await signUp(3);
    assert.equal(limited.status, 429);
    assert.equal(limited.json.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});

describe('hardened endpoint: masked errors', () => {
  let env: TestServer;
  before(async () => {
    env = await startTestServer(BACKENDS.find((b) => b.name === 'postgres')!);
  });
  after(() => env?.dispose());

  it('masks an unexpected failure: a generic message, no internals', async () => {
    const user = await signUpUser(env.url);
    // The one fault caused on purpose: the documents table disappears under the running server.
    const admin = new pg.Client({ connectionString: env.config.databaseUrl! });
    await admin.connect();
    await admin.query('DROP TABLE documents CASCADE');
    await admin.end();
    const result = await post(env.url, JSON.stringify({ query: PULL, variables: { w: WORKSPACE } }), { authorization: `Bearer ${user.accessToken}` });
    assert.equal(result.json.errors?.[0]?.message, 'Unexpected error.');
    assert.doesNotMatch(JSON.stringify(result.json), /documents|relation|stack|postgres/i);
  });
});

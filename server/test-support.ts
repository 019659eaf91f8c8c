/**
 * Shared helpers for the server tests: the two storage backends every suite runs on,
 * document factories and condition waits. Not a test file itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_CONFIG, type ServerConfig } from './config';
import { buildServer, type FieldbookServer } from './server';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import { uuidv7 } from '../src/shared/uuid';

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, empty database for one suite; `dispose` removes it. */
export interface TestDatabase {
  /** Config fields selecting this database (`dataDir` and `databaseUrl`). */
  readonly config: Pick<ServerConfig, 'dataDir' | 'databaseUrl'>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  create(): Promise<TestDatabase>;
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export const BACKENDS: readonly Backend[] = [
  {
    name: 'pglite',
    async create() {
      const dataDir = await tempDir('fieldbook-pglite-');
      return {
        config: { dataDir, databaseUrl: undefined },
        dispose: () => rm(dataDir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      // Each suite gets its own schema, selected through the connection's search_path.
      const schema = `fieldbook_test_${uuidv7().replace(/-/g, '').slice(-16)}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const dataDir = await tempDir('fieldbook-pg-');
      return {
        config: { dataDir, databaseUrl: url.toString() },
        async dispose() {
          const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await client.connect();
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

export function testConfig(database: TestDatabase, overrides: Partial<ServerConfig> = {}): ServerConfig {
  // Tests sign up many users from one address: the sign-up limit is tested on its own.
  return { ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', nodeEnv: 'test', signUpLimitPerHour: 10_000, ...database.config, ...overrides };
}

export { DEFAULT_WORKSPACE_ID as WORKSPACE };
export const OTHER_WORKSPACE = '00000000-0000-7000-8000-0000000000ff';

/** A valid new task as a client would push it. */
export function newTask(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuidv7(),
    workspaceId: DEFAULT_WORKSPACE_ID,
    revision: 1,
    listId: uuidv7(),
    title: 'Check the pump',
    notes: '',
    status: 'todo',
    priority: 'none',
    dueAt: null,
    assigneeId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    deleted: false,
    ...overrides,
  };
}

/** A valid new list as a client would push it. */
export function newList(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uuidv7(),
    workspaceId: DEFAULT_WORKSPACE_ID,
    revision: 1,
    name: 'Site A',
    archived: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    deleted: false,
    ...overrides,
  };
}

/** The next local edit of `doc`: the client proposes revision + 1. */
export function edited(doc: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  return { ...doc, ...changes, revision: (doc['revision'] as number) + 1 };
}

/** Resolves once `condition` returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A running server on a fresh database of `backend`, for tests that talk HTTP to it. */
export interface TestServer {
  readonly server: FieldbookServer;
  readonly url: string;
  /** The configuration it runs with (its database URL, for tests that look underneath). */
  readonly config: ServerConfig;
  dispose(): Promise<void>;
}

export async function startTestServer(backend: Backend, overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const database = await backend.create();
  const config = testConfig(database, overrides);
  const server = await buildServer(config);
  const { url } = await server.start();
  return {
    server,
    url,
    config,
    async dispose() {
      await server.stop();
      await database.dispose();
    },
  };
}

export interface GraphQLAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly data?: Record<string, any>;
  readonly errors?: { message: string; extensions?: { code?: string; retryAfter?: number } }[];
}

/** Sends one GraphQL operation over HTTP, signed in when `token` is given. */
export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLAnswer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: object = {};
  try {
    body = JSON.parse(text) as object;
  } catch {
    // not JSON (a refusal before GraphQL): the status says enough
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** A signed-up user and its tokens, as a test client holds them. */
export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

let userCounter = 0;

/**
 * Signs up a new user over the endpoint (new users join the default workspace as members;
 * the first user of a fresh database becomes its owner). Sync operations need the token.
 */
export async function signUpUser(url: string, email = `user${++userCounter}-${uuidv7().slice(-8)}@example.org`, password = 'correct horse battery'): Promise<TestUser> {
  const answer = await gql(url, 'mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { accessToken refreshToken user { id email } } }', { e: email, p: password });
  const payload = answer.data?.['signUp'];
  if (!payload) throw new Error(`sign-up of ${email} failed: ${JSON.stringify(answer.errors)}`);
  return { id: payload.user.id, email: payload.user.email, password, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

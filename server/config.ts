/**
 * Server configuration, read once from the environment into a typed object.
 * Nothing else in the server reads `process.env`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WORKSPACE_ID } from '../src/shared/collections';
import { DEFAULT_CORS_ORIGINS } from './hardening';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Folder for local state; PGlite keeps its files in `<dataDir>/pglite`. */
  readonly dataDir: string;
  /** When set, PostgreSQL through `pg` instead of the embedded PGlite. */
  readonly databaseUrl: string | undefined;
  readonly nodeEnv: string;
  /** The Angular build output served for every path that is not `/graphql`. */
  readonly staticDir: string;
  readonly defaultWorkspaceId: string;
  /** Signs access tokens. Unset: a random secret is created once and kept in `<dataDir>/auth-secret`. */
  readonly authSecret: string | undefined;
  /** Other origins allowed to call the API (CORS); Capacitor's app origins by default. */
  readonly corsOrigins: readonly string[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_CONFIG = {
  port: 4000,
  host: '0.0.0.0',
  dataDir: path.resolve('data'),
  databaseUrl: undefined,
  nodeEnv: 'development',
  staticDir: path.join(repoRoot, 'dist/fieldbook/browser'),
  defaultWorkspaceId: DEFAULT_WORKSPACE_ID,
  corsOrigins: DEFAULT_CORS_ORIGINS,
  authSecret: undefined,
} as const satisfies ServerConfig;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

/** Reads the configuration from `env` (the process environment by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    ...DEFAULT_CONFIG,
    ...(env['PORT'] ? { port: parsePort(env['PORT']) } : {}),
    ...(env['HOST'] ? { host: env['HOST'] } : {}),
    ...(env['DATA_DIR'] ? { dataDir: path.resolve(env['DATA_DIR']) } : {}),
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    ...(env['NODE_ENV'] ? { nodeEnv: env['NODE_ENV'] } : {}),
    ...(env['AUTH_SECRET'] ? { authSecret: env['AUTH_SECRET'] } : {}),
    ...(env['CORS_ORIGINS'] ? { corsOrigins: env['CORS_ORIGINS'].split(',').map((o) => o.trim()).filter(Boolean) } : {}),
    ...(env['STATIC_DIR'] ? { staticDir: path.resolve(repoRoot, env['STATIC_DIR']) } : {}),
  };
}

export function isProduction(config: ServerConfig): boolean {
  return config.nodeEnv === 'production';
}

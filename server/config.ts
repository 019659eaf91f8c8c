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
  /** Lifetime of access tokens in seconds (ACCESS_TOKEN_TTL_SECONDS); refresh tokens renew them. */
  readonly accessTokenTtlSeconds: number;
  /** Sign-ups allowed per client address per hour (SIGNUP_LIMIT_PER_HOUR). */
  readonly signUpLimitPerHour: number;
  /** Sign-in attempts allowed per client address per minute (SIGNIN_LIMIT_PER_MINUTE). */
  readonly signInLimitPerMinute: number;
  /** How long a push's write id and answer are remembered for replays (WRITE_ID_TTL_HOURS). */
  readonly writeIdTtlMs: number;
  /**
   * How long tombstones are kept (TOMBSTONE_RETENTION_DAYS). A client whose checkpoint is
   * older than a purged tombstone is told CHECKPOINT_EXPIRED and resyncs from scratch.
   */
  readonly tombstoneRetentionMs: number;
  /** How often the purge job runs (MAINTENANCE_INTERVAL_MINUTES). */
  readonly maintenanceIntervalMs: number;
  /** On SIGTERM, how long in-flight requests may take before sockets are cut (SHUTDOWN_GRACE_SECONDS). */
  readonly shutdownGraceMs: number;
}

const HOUR = 3_600_000;

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
  accessTokenTtlSeconds: 15 * 60,
  signUpLimitPerHour: 10,
  signInLimitPerMinute: 30,
  writeIdTtlMs: 24 * HOUR,
  tombstoneRetentionMs: 30 * 24 * HOUR,
  maintenanceIntervalMs: HOUR,
  shutdownGraceMs: 10_000,
} as const satisfies ServerConfig;

/** A positive number from the environment, times `unitMs`. */
function parseDuration(name: string, value: string, unitMs: number): number {
  const amount = Number(value);
  if (!Number.isFinite(amount) || amount <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return amount * unitMs;
}

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
    ...(env['ACCESS_TOKEN_TTL_SECONDS'] ? { accessTokenTtlSeconds: parseDuration('ACCESS_TOKEN_TTL_SECONDS', env['ACCESS_TOKEN_TTL_SECONDS'], 1) } : {}),
    ...(env['SIGNUP_LIMIT_PER_HOUR'] ? { signUpLimitPerHour: parseDuration('SIGNUP_LIMIT_PER_HOUR', env['SIGNUP_LIMIT_PER_HOUR'], 1) } : {}),
    ...(env['SIGNIN_LIMIT_PER_MINUTE'] ? { signInLimitPerMinute: parseDuration('SIGNIN_LIMIT_PER_MINUTE', env['SIGNIN_LIMIT_PER_MINUTE'], 1) } : {}),
    ...(env['WRITE_ID_TTL_HOURS'] ? { writeIdTtlMs: parseDuration('WRITE_ID_TTL_HOURS', env['WRITE_ID_TTL_HOURS'], HOUR) } : {}),
    ...(env['TOMBSTONE_RETENTION_DAYS'] ? { tombstoneRetentionMs: parseDuration('TOMBSTONE_RETENTION_DAYS', env['TOMBSTONE_RETENTION_DAYS'], 24 * HOUR) } : {}),
    ...(env['MAINTENANCE_INTERVAL_MINUTES'] ? { maintenanceIntervalMs: parseDuration('MAINTENANCE_INTERVAL_MINUTES', env['MAINTENANCE_INTERVAL_MINUTES'], 60_000) } : {}),
    ...(env['SHUTDOWN_GRACE_SECONDS'] ? { shutdownGraceMs: parseDuration('SHUTDOWN_GRACE_SECONDS', env['SHUTDOWN_GRACE_SECONDS'], 1000) } : {}),
  };
}

export function isProduction(config: ServerConfig): boolean {
  return config.nodeEnv === 'production';
}

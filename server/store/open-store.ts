/** Opens the configured store: PostgreSQL when `DATABASE_URL` is set, else PGlite under `DATA_DIR`. */
import path from 'node:path';
import type { ServerConfig } from '../config';
import { openPgDriver } from './pg-driver';
import { openPgliteDriver } from './pglite-driver';
import { SqlStore } from './sql-store';

export async function openStore(config: ServerConfig): Promise<SqlStore> {
  const driver = config.databaseUrl
    ? await openPgDriver(config.databaseUrl)
    : await openPgliteDriver(path.join(config.dataDir, 'pglite'));
  try {
    return await SqlStore.open(driver, { defaultWorkspaceId: config.defaultWorkspaceId });
  } catch (error) {
    await driver.close();
    throw error;
  }
}

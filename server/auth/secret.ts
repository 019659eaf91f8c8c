/** The token-signing secret: the configured one, or one made once and kept in the data folder. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServerConfig } from '../config';

export async function resolveAuthSecret(config: ServerConfig): Promise<string> {
  if (config.authSecret) return config.authSecret;
  const file = path.join(config.dataDir, 'auth-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // 'wx': if another instance wrote it first, read theirs.
    await writeFile(file, secret, { flag: 'wx', mode: 0o600 }).catch(() => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}

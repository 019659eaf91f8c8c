/**
 * The production build of the app, made into its own folder so a bench run never
 * races with `dist/` used by the e2e tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT = path.join(REPO_ROOT, 'bench/.app');
export const APP_DIR = path.join(OUTPUT, 'browser');

/** Builds the app unless `reuse` and a build exists. */
export function buildApp(reuse: boolean): void {
  if (reuse && existsSync(path.join(APP_DIR, 'index.html'))) return;
  const result = spawnSync('npx', ['ng', 'build', '--configuration', 'production', '--output-path', OUTPUT], {
    cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('ng build failed');
}

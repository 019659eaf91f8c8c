/**
 * The production build of the app, made from the last commit (not the working tree, which
 * may be mid-edit) into its own folder, so a bench run never races with `dist/` used by
 * the e2e tests.
 */
import { execSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SNAPSHOT = path.join(REPO_ROOT, 'bench/.src');
const OUTPUT = path.join(REPO_ROOT, 'bench/.app');
export const APP_DIR = path.join(OUTPUT, 'browser');

/** Builds the app from HEAD unless `reuse` and a build exists. */
export function buildApp(reuse: boolean): void {
  if (reuse && existsSync(path.join(APP_DIR, 'index.html'))) return;
  rmSync(SNAPSHOT, { recursive: true, force: true });
  mkdirSync(SNAPSHOT, { recursive: true });
  execSync(`git archive HEAD angular.json package.json tsconfig.json tsconfig.app.json src | tar -x -C ${JSON.stringify(SNAPSHOT)}`, { cwd: REPO_ROOT });
  // Files the root .gitignore hides by accident (its `data/` also matches src/app/data/).
  const ignored = execSync('git ls-files --others --ignored --exclude-standard src', { cwd: REPO_ROOT }).toString().split('\n').filter(Boolean);
  for (const file of ignored) {
    mkdirSync(path.dirname(path.join(SNAPSHOT, file)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, file), path.join(SNAPSHOT, file));
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(SNAPSHOT, 'node_modules'));
  const result = spawnSync('npx', ['ng', 'build', '--configuration', 'production', '--output-path', OUTPUT], {
    cwd: SNAPSHOT, stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('ng build failed');
}

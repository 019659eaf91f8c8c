/**
 * The Capacitor wrap, checked without a native toolchain (CI has no Android SDK or Xcode):
 * `cap sync` over a copy of the committed native projects succeeds and puts the web
 * build and both plugins (Network, App) into Android and iOS. Runs in a temporary copy so
 * the worktree and its build are left alone; takes about a second.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const GENERATED = /assets\/public|App\/App\/public|capacitor\.(config|plugins)\.json$|capacitor-cordova-|\/build\//;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('capacitor', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fieldbook-cap-'));
    for (const entry of ['capacitor.config.ts', 'package.json', 'android', 'ios']) {
      // Without what `cap sync` generates (git-ignored), as in a fresh clone.
      await cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, filter: (source) => !GENERATED.test(source) });
    }
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await mkdir(path.join(dir, 'dist/fieldbook/browser'), { recursive: true });
    await writeFile(path.join(dir, 'dist/fieldbook/browser/index.html'), '<!doctype html><title>Fieldbook</title>');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('syncs the web build and the Network and App plugins into the Android and iOS projects', async () => {
    const sync = await run(path.join(ROOT, 'node_modules/.bin/cap'), ['sync'], { cwd: dir });
    assert.equal(sync.code, 0, sync.output);
    assert.match(await readFile(path.join(dir, 'android/app/src/main/assets/public/index.html'), 'utf8'), /Fieldbook/);
    assert.match(await readFile(path.join(dir, 'ios/App/App/public/index.html'), 'utf8'), /Fieldbook/);
    const config = JSON.parse(await readFile(path.join(dir, 'android/app/src/main/assets/capacitor.config.json'), 'utf8'));
    assert.deepEqual([config.appId, config.webDir], ['app.fieldbook', 'dist/fieldbook/browser']);
    const plugins = await readFile(path.join(dir, 'android/app/src/main/assets/capacitor.plugins.json'), 'utf8');
    assert.match(plugins, /@capacitor\/network/);
    assert.match(plugins, /@capacitor\/app/);
    assert.match(await readFile(path.join(dir, 'ios/App/Podfile'), 'utf8'), /CapacitorNetwork[\s\S]*CapacitorApp|CapacitorApp[\s\S]*CapacitorNetwork/);
  });

  it('npm run cap:sync refuses to build a native app that talks to no server', async () => {
    const env = { ...process.env, FIELDBOOK_SERVER_URL: '' };
    const refused = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/cap-sync.ts')], { cwd: ROOT, env });
    assert.equal(refused.code, 1);
    assert.match(refused.output, /Set FIELDBOOK_SERVER_URL/);
  });
});

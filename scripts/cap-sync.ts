/**
 * `npm run cap:sync`: the production build with the server URL fixed for native builds,
 * then `cap sync` (copies it into android/ and ios/ and updates the native plugins).
 *
 *   FIELDBOOK_SERVER_URL=https://fieldbook.example.org npm run cap:sync
 *
 * Without FIELDBOOK_SERVER_URL the build talks to its own origin, which inside the
 * native WebView is no server: the script refuses unless `--allow-same-origin` is given
 * (CI uses it to check that sync works). `--skip-build` syncs the existing build.
 */
import { spawnSync } from 'node:child_process';

const args = new Set(process.argv.slice(2));
const serverUrl = process.env['FIELDBOOK_SERVER_URL'] ?? '';

function run(command: string, commandArgs: string[]): void {
  process.stdout.write(`> ${command} ${commandArgs.join(' ')}\n`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (serverUrl) {
  const url = new URL(serverUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`FIELDBOOK_SERVER_URL must be http(s): ${serverUrl}`);
} else if (!args.has('--allow-same-origin')) {
  process.stderr.write('Set FIELDBOOK_SERVER_URL to the server the native app talks to, e.g.\n  FIELDBOOK_SERVER_URL=https://fieldbook.example.org npm run cap:sync\n');
  process.exit(1);
}

if (!args.has('--skip-build')) {
  const define = serverUrl ? ['--define', `FIELDBOOK_SERVER_URL=${JSON.stringify(serverUrl)}`] : [];
  run('npx', ['ng', 'build', '--configuration', 'production', ...define]);
}
run('npx', ['cap', 'sync']);

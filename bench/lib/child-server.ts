/** A bench-only HTTP server (`bench/servers/*.ts`) as a child process on a free loopback port. */
import { spawn } from 'node:child_process';
import { freePort, waitFor } from '../../e2e/harness';
import { REPO_ROOT } from './app-build';

export interface ChildServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `script` with PORT and `env`; ready once `GET /` answers 2xx. */
export async function startChildServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk) => (errors += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(script, async () => {
      if (child.exitCode !== null) throw new Error(`exited: ${errors}`);
      return (await fetch(`${url}/`).catch(() => undefined))?.ok;
    }, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

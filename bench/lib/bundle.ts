/** Bundles a bench page script (TypeScript, from node_modules) into one browser script. */
import { build } from 'esbuild';
import path from 'node:path';
import { REPO_ROOT } from './app-build';

const cache = new Map<string, string>();

export async function bundle(entry: string): Promise<string> {
  const cached = cache.get(entry);
  if (cached) return cached;
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, 'bench/pages', entry)],
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  cache.set(entry, code);
  return code;
}

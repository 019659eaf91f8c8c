import { launchBrowser } from './lib/browser';
import { openBenchPage } from './lib/bench-page';
import { startBackend } from './lib/backends';
import { signUpBenchUser } from './lib/session';
import { Seeder, WORKSPACE_ID } from './lib/seed';
const server = await startBackend('pglite');
const browser = await launchBrowser();
try {
  await new Seeder(server.url).growTo(100);
  const user = await signUpBenchUser(server.url);
  const context = await browser.newContext();
  context.on('console', (m) => process.stderr.write(`ctx: ${m.text().slice(0,300)}\n`)); context.on('weberror', (e) => process.stderr.write(`ctxerr: ${e.error().stack}\n`));
  context.on('request', (r) => process.stderr.write(`req: ${r.url()} ${r.postData()?.slice(0,100)}\n`));
  context.on('response', async (r) => process.stderr.write(`res: ${r.status()} ${(await r.text().catch(() => '')).slice(0,200)}\n`));
  const db = await openBenchPage(context, server.url, 'rxdb.ts', { total: 100, workspaceId: WORKSPACE_ID, authorization: user.authorization });
  await new Promise((r) => setTimeout(r, 8000));
  process.stderr.write(String(await db.evaluate(() => JSON.stringify((window as any).__BENCH_RESULT__))) + '\n');
} finally { await browser.close(); await server.dispose(); }

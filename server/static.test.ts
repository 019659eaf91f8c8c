import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStaticHandler, IMMUTABLE, NO_CACHE } from './static';

async function serve(staticDir: string): Promise<{ server: Server; url: string }> {
  const handler = createStaticHandler(staticDir);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A GET with the path sent as is (fetch would normalise `..` away). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path: rawPath }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static app serving', () => {
  let root: string;
  let staticDir: string;
  let server: Server;
  let url: string;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fieldbook-static-'));
    staticDir = path.join(root, 'browser');
    await mkdir(staticDir);
    await writeFile(path.join(root, 'secret.txt'), 'outside the app');
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Fieldbook</title>');
    await writeFile(path.join(staticDir, 'ngsw.json'), '{"configVersion":1}');
    await writeFile(path.join(staticDir, 'ngsw-worker.js'), '/* worker */');
    await writeFile(path.join(staticDir, 'manifest.webmanifest'), '{}');
    await writeFile(path.join(staticDir, 'main-ABC123.js'), 'console.info("app")');
    await writeFile(path.join(staticDir, 'styles-5INURTSO.css'), 'body{}');
    await writeFile(path.join(staticDir, 'favicon.ico'), 'icon');
    ({ server, url } = await serve(staticDir));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const cases: [string, string, string][] = [
    ['/', 'text/html; charset=utf-8', NO_CACHE],
    ['/index.html', 'text/html; charset=utf-8', NO_CACHE],
    ['/ngsw.json', 'application/json; charset=utf-8', NO_CACHE],
    ['/ngsw-worker.js', 'text/javascript; charset=utf-8', NO_CACHE],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8', NO_CACHE],
    ['/main-ABC123.js', 'text/javascript; charset=utf-8', IMMUTABLE],
    ['/styles-5INURTSO.css', 'text/css; charset=utf-8', IMMUTABLE],
    ['/favicon.ico', 'image/x-icon', NO_CACHE],
  ];
  for (const [file, contentType, cacheControl] of cases) {
    it(`serves ${file} as ${contentType} with Cache-Control ${cacheControl}`, async () => {
      const response = await fetch(`${url}${file}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), contentType);
      assert.equal(response.headers.get('cache-control'), cacheControl);
    });
  }

  it('falls back to index.html for app routes without an extension', async () => {
    const response = await fetch(`${url}/lists/42/tasks`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), NO_CACHE);
    assert.match(await response.text(), /<title>Fieldbook<\/title>/);
  });

  it('answers 404 for a missing file with an extension', async () => {
    const response = await fetch(`${url}/main-MISSING1.js`);
    assert.equal(response.status, 404);
  });

  for (const rawPath of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
    it(`does not leave STATIC_DIR for ${rawPath}`, async () => {
      const response = await rawGet(url, rawPath);
      assert.ok(!response.body.includes('outside the app'));
      assert.ok(!response.body.includes('root:'));
      assert.ok([200, 400, 404].includes(response.status), `status ${response.status}`);
    });
  }

  it('answers 503 with a hint when the app is not built', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'fieldbook-unbuilt-'));
    const unbuilt = await serve(empty);
    try {
      const response = await fetch(`${unbuilt.url}/`);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /npm run build/);
    } finally {
      await new Promise((resolve) => unbuilt.server.close(resolve));
      await rm(empty, { recursive: true, force: true });
    }
  });
});

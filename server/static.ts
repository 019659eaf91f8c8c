/**
 * Serves the built Angular app (STATIC_DIR) with the caching Angular's service worker
 * needs: files that name the current version (`index.html`, `ngsw.json`, the workers,
 * the manifest) are revalidated on every load; content-hashed bundles are immutable.
 * Paths without an extension fall back to `index.html` (client-side routes).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { SECURITY_HEADERS } from './hardening';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export const NO_CACHE = 'no-cache';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Angular's build output: `main-ABCD1234.js`, `chunk-XXXX.js`, `styles-XXXX.css`, `polyfills-XXXX.js`. */
const HASHED_BUNDLE = /^(main|chunk|styles|polyfills|worker)-[A-Z0-9]{6,}\.(js|css|mjs)(\.map)?$/i;

export function cacheControlFor(fileName: string): string {
  return HASHED_BUNDLE.test(fileName) ? IMMUTABLE : NO_CACHE;
}

async function fileAt(filePath: string): Promise<{ size: number } | undefined> {
  try {
    const info = await stat(filePath);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}

/** A request listener serving `staticDir`. */
export function createStaticHandler(staticDir: string) {
  const root = path.resolve(staticDir);
  const indexPath = path.join(root, 'index.html');

  function send(req: IncomingMessage, res: ServerResponse, filePath: string, size: number): void {
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': cacheControlFor(path.basename(filePath)),
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(filePath).pipe(res);
  }

  function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_CACHE, ...SECURITY_HEADERS, ...headers });
    res.end(body);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      text(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const index = await fileAt(indexPath);
    if (!index) {
      text(res, 503, 'The app is not built. Run `npm run build`, then restart the server.\n');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      text(res, 400, 'Bad request\n');
      return;
    }
    // Resolving against the root and checking the prefix makes `..` and absolute
    // paths unable to leave STATIC_DIR.
    const filePath = path.resolve(root, `.${path.posix.normalize(`/${pathname}`)}`);
    if (pathname.includes('\0') || (filePath !== root && !filePath.startsWith(root + path.sep))) {
      text(res, 404, 'Not found\n');
      return;
    }
    const file = filePath === root ? undefined : await fileAt(filePath);
    if (file) {
      send(req, res, filePath, file.size);
    } else if (path.extname(pathname) === '') {
      send(req, res, indexPath, index.size);
    } else {
      text(res, 404, 'Not found\n');
    }
  };
}

/**
 * A plain static server for the end-to-end tests: the built app (dist/), the example page
 * (examples/) and the media fixtures, on 127.0.0.1. Everything under /strict/ is the same files
 * sent with a strict Content-Security-Policy header (workers get it too, as they would from a host
 * that sets it site-wide); under /strict-blob-workers/, that policy with blob: workers allowed.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

/** What the widget needs, and nothing more; README's "Embedding" section documents it. */
export const STRICT_CSP = [
  "default-src 'none'",
    // ONNX Runtime Web imports its WASM glue module (ort-wasm-*.mjs) through a blob: URL.
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
].join('; ');

/** The same, plus what the AC-3 / E-AC-3 decoder needs: a worker started from a blob: URL. */
export const STRICT_CSP_WITH_BLOB_WORKERS = STRICT_CSP.replace("worker-src 'self'", "worker-src 'self' blob:");

/** Path prefixes served with a CSP header, longest first. */
const CSP_PREFIXES: Array<[string, string]> = [
  ['/strict-blob-workers/', STRICT_CSP_WITH_BLOB_WORKERS],
  ['/strict/', STRICT_CSP],
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.txt': 'text/plain',
};

const SERVED = ['dist', 'examples', 'tests/fixtures/media'];

export async function startServer(root: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    let path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [prefix, csp] = CSP_PREFIXES.find(([p]) => path.startsWith(p)) ?? ['/', null];
    path = path.slice(prefix.length - 1);
    if (path.endsWith('/')) path += 'index.html';
    const relative = normalize(path).replace(/^\/+/, '');
    const file = resolve(join(root, relative));
    const allowed = SERVED.some((folder) => file.startsWith(resolve(root, folder) + '/'));
    let size = -1;
    try {
      if (allowed) size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      size = -1;
    }
    if (size < 0) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
      ...(csp ? { 'content-security-policy': csp } : {}),
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  return { origin: `http://127.0.0.1:${address.port}`, server };
}

/**
 * A static file server on 127.0.0.1: each URL prefix maps to one folder (with headers of its own,
 * e.g. a Content-Security-Policy), and nothing outside those folders is served. The eval harness
 * serves the built app and the eval page with it (the videos reach the page as files, not over
 * HTTP); the end-to-end tests serve the app, the example page and the media fixtures.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, isAbsolute, relative, resolve } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
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

/** A folder, or a folder and headers sent with every file from it. */
export type Mount = string | { folder: string; headers: Readonly<Record<string, string>> };

const folderOf = (mount: Mount): string => (typeof mount === 'string' ? mount : mount.folder);

function fileFor(mounts: Readonly<Record<string, Mount>>, pathname: string): { file: string; mount: Mount } | null {
  for (const [prefix, mount] of Object.entries(mounts)) {
    if (!pathname.startsWith(prefix)) continue;
    const folder = folderOf(mount);
    const rest = pathname.slice(prefix.length);
    const file = resolve(folder, rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest);
    const inside = relative(folder, file);
    if (inside.startsWith('..') || isAbsolute(inside)) return null;
    try {
      return statSync(file).isFile() ? { file, mount } : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** `mounts`: URL prefix (ending in '/') to folder; the first prefix that matches serves. */
export async function serveFolders(mounts: Readonly<Record<string, Mount>>): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const found = fileFor(mounts, pathname);
    if (!found) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const { file, mount } = found;
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
      ...(typeof mount === 'string' ? {} : mount.headers),
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Chromium keeps connections alive; close would otherwise wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

/**
 * The end-to-end tests' static server: the built app (dist/), the example page (examples/) and the
 * media fixtures, on 127.0.0.1. Everything under /strict/ is the same files sent with a strict
 * Content-Security-Policy header (workers get it too, as they would from a host that sets it
 * site-wide); under /strict-blob-workers/, that policy with blob: workers allowed.
 */
import { resolve } from 'node:path';
import { serveFolders, type Mount } from '../../eval/server';

/** What the widget needs, and nothing more; docs/embedding.md documents it. */
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

const SERVED = ['dist', 'examples', 'tests/fixtures/media'];

export async function startServer(root: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const mounts: Record<string, Mount> = {};
  for (const [prefix, csp] of [['/strict-blob-workers/', STRICT_CSP_WITH_BLOB_WORKERS], ['/strict/', STRICT_CSP], ['/', null]] as const) {
    for (const folder of SERVED) {
      mounts[`${prefix}${folder}/`] = csp ? { folder: resolve(root, folder), headers: { 'content-security-policy': csp } } : resolve(root, folder);
    }
  }
  return serveFolders(mounts);
}

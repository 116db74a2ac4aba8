/**
 * Builds the eval page (eval/build.ts runs it with --outDir): the harness's side of the browser.
 * The app itself is not bundled here; the page loads the built widget from dist/ at run time.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', emptyOutDir: true, chunkSizeWarningLimit: 8192 },
});

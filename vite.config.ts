import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARG } from './scripts/chromium.ts';
import { bundledWhisperModels, servedModels } from './scripts/vite-model-files.ts';
import { faultyFiles } from './tests/browser/faulty-files.ts';
import { selectOver4GiBFile } from './tests/browser/over-4gib-command.ts';

const chromiumPath = CHROMIUM_PATH;
const chromiumArgs = [...CHROMIUM_ARGS, WEBGPU_ARG];

/**
 * Cross-origin isolation: ONNX Runtime's WASM needs SharedArrayBuffer for threads. Static hosts
 * that cannot send headers get them from the app's service worker (public/app-shell-sw.js).
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // Relative asset paths: the built site works from any sub-path of a static host.
  base: './',
  // Several pages (app, bench) and no client-side routing: a missing file is a 404, not index.html.
  appType: 'mpa',
  plugins: [bundledWhisperModels(), servedModels()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    rollupOptions: {
      // The page, and the widget as `sage-agent.js` at the root of dist/ (next to models/, which it
      // finds relative to itself), under a name that does not change between builds.
      input: { index: resolve('index.html'), 'sage-agent': resolve('src/sage-agent.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sage-agent' ? 'sage-agent.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  // Found up front so the first browser test run does not reload when workers pull them in.
  optimizeDeps: { include: ['@huggingface/transformers', 'onnxruntime-web/webgpu', 'comlink', 'mediabunny'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/node/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        // Model files that fail to download, for tests/browser/model-load-failures.test.ts.
        plugins: [faultyFiles()],
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
            // Makes the >4 GiB file in Node and puts it in a file input (tests/browser/over-4gib.test.ts).
            commands: { selectOver4GiBFile },
          },
        },
      },
      {
        extends: true,
        test: {
          // Node-side files that build the app once (globalSetup), serve dist/ and drive Chromium
          // through Playwright against it, as a person would use the page.
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // The page does real work (decoding, Whisper) while other projects share two cores: a
          // polled expectation waits for it rather than for vitest's 1 s default.
          expect: { poll: { timeout: 30_000 } },
          provide: { engine: 'chromium' },
        },
      },
      {
        extends: true,
        test: {
          // The engine-shared files again, in Debian's Firefox ESR through puppeteer-core over
          // WebDriver BiDi (tests/e2e/driver.ts), after the other projects so the two cores are
          // not shared by two browsers running Whisper.
          name: 'e2e-firefox',
          include: ['tests/e2e/**/*.engines.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          expect: { poll: { timeout: 30_000 } },
          provide: { engine: 'firefox' },
        },
      },
    ],
  },
});

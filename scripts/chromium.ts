/**
 * The system Chromium every test, bench and eval run drives (Debian's `chromium`; Playwright cannot
 * download browsers here), and the flags it always gets: no sandbox (root in CI), and nothing that
 * reaches the network on its own.
 */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** `CHROMIUM_PATH` chooses another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Chromium's software WebGPU adapter (SwiftShader), for small WebGPU smoke tests. */
export const WEBGPU_ARG = '--enable-unsafe-webgpu';

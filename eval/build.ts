/**
 * The two builds a run serves: the app (`dist/`, as `npm run build` makes it) and the eval page
 * (eval/page, into a folder of its own). Each runs vite in a separate process with
 * NODE_ENV=production: inside vitest NODE_ENV is 'test', which would make a development build.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..');

function vite(args: string[]): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export function buildApp(): void {
  vite([]);
}

/** `outDir` relative to the working directory (vite would take it relative to the page's folder). */
export function buildEvalPage(outDir: string): void {
  vite(['--config', join(REPO_ROOT, 'eval/page/vite.config.ts'), '--outDir', resolve(outDir)]);
}

/**
 * Builds the app once for every end-to-end test file and serves it (see server.ts). The build
 * serves pulled models (served-model-fixture.ts), as a deployment made with models:pull would.
 */
import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullServedFixtures } from './served-model-fixture';
import { startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    origin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const modelsDir = mkdtempSync(join(tmpdir(), 'sage-e2e-models-'));
  await pullServedFixtures(process.cwd(), modelsDir);
  // A separate process: inside vitest NODE_ENV is 'test', which would make a development build.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production', MODELS_DIR: modelsDir },
    stdio: 'inherit',
  });
  rmSync(modelsDir, { recursive: true });
  const { origin, close } = await startServer(process.cwd());
  project.provide('origin', origin);
  return close;
}

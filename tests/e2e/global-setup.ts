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

interface Served {
  origin: string;
  close: () => Promise<void>;
  users: number;
}

/**
 * Both end-to-end projects (Chromium, Firefox) share one build and one server: each project runs
 * its global set-up in this process, so the first makes them and the last to finish closes them.
 */
const SHARED = Symbol.for('sage.e2e.served');
type Shared = typeof globalThis & { [SHARED]?: Promise<Served> };

async function buildAndServe(): Promise<Served> {
  const modelsDir = mkdtempSync(join(tmpdir(), 'sage-e2e-models-'));
  await pullServedFixtures(process.cwd(), modelsDir);
  // A separate process: inside vitest NODE_ENV is 'test', which would make a development build.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production', MODELS_DIR: modelsDir },
    stdio: 'inherit',
  });
  rmSync(modelsDir, { recursive: true });
  return { ...(await startServer(process.cwd())), users: 0 };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = globalThis as Shared;
  shared[SHARED] ??= buildAndServe();
  const served = await shared[SHARED];
  served.users += 1;
  project.provide('origin', served.origin);
  return async () => {
    served.users -= 1;
    if (served.users > 0) return;
    delete shared[SHARED];
    await served.close();
  };
}

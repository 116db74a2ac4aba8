/** Builds the app once for every end-to-end test file and serves it (see server.ts). */
import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    origin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A separate process: inside vitest NODE_ENV is 'test', which would make a development build.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  const { origin, server } = await startServer(process.cwd());
  project.provide('origin', origin);
  return () => new Promise<void>((done) => server.close(() => done()));
}

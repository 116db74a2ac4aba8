import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { servedModels } from '../../../scripts/vite-model-files';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true });
  root = '';
});

/** Runs the plugin's hooks as Vite would for `command`, in a project with an empty manifest. */
async function closeBundleFor(command: 'build' | 'serve'): Promise<string> {
  root = mkdtempSync(join(tmpdir(), 'plugin-'));
  mkdirSync(join(root, 'models'));
  writeFileSync(join(root, 'models', 'manifest.json'), JSON.stringify({ models: {} }));
  const plugin = servedModels() as unknown as {
    configResolved(config: { root: string; command: string; build: { outDir: string } }): void;
    closeBundle(): Promise<void>;
  };
  plugin.configResolved({ root, command, build: { outDir: 'out' } });
  await plugin.closeBundle();
  return join(root, 'out', 'models', 'served.json');
}

describe('the served-models build plugin', () => {
  it('writes models/served.json into a real build', async () => {
    expect(existsSync(await closeBundleFor('build'))).toBe(true);
  });

  it('writes nothing when the dev server or vitest closes (it once left dummy-non-existing-folder/ in the tree)', async () => {
    expect(existsSync(await closeBundleFor('serve'))).toBe(false);
  });
});

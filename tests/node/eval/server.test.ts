import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFolders } from '../../../eval/server';

describe('serveFolders', () => {
  const root = mkdtempSync(join(tmpdir(), 'sage-eval-server-'));
  let server: Awaited<ReturnType<typeof serveFolders>>;
  beforeAll(async () => {
    mkdirSync(join(root, 'app', 'assets'), { recursive: true });
    writeFileSync(join(root, 'app', 'index.html'), '<p>app</p>');
    writeFileSync(join(root, 'app', 'assets', 'a b.js'), 'export {};');
    writeFileSync(join(root, 'secret.txt'), 'not served');
    server = await serveFolders({ '/dist/': join(root, 'app') });
  });
  afterAll(() => server.close());

  it('serves files under each prefix from its folder, index.html for a folder', async () => {
    const page = await fetch(`${server.origin}/dist/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<p>app</p>');
    const script = await fetch(`${server.origin}/dist/assets/a%20b.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript');
  });

  it('serves nothing outside its folders', async () => {
    for (const path of ['/secret.txt', '/dist/../secret.txt', '/dist/%2e%2e/secret.txt', '/dist/missing.js', '/other/index.html']) {
      expect((await fetch(`${server.origin}${path}`)).status, path).toBe(404);
    }
  });
});

/** The README stays short and the docs stay linked: what a newcomer reads first is checked like code. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

describe('README', () => {
  const readme = read('README.md');

  it('is at most 200 lines, with the two quick-start commands', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('links every page in docs/', () => {
    for (const page of DOCS.filter((path) => path.startsWith('docs/'))) expect(readme).toContain(`](${page})`);
  });
});

describe('docs', () => {
  it.each(DOCS)('%s links only to files that exist', (path) => {
    const text = read(path);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      expect(existsSync(resolve(ROOT, dirname(path), target)), `${path} → ${target}`).toBe(true);
    }
  });

  it('dates every benchmark figure', () => {
    const rows = read('docs/performance.md')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| metric'));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row, row).toMatch(/\| 20\d\d-\d\d-\d\d \|$/);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJsonl, readJsonl } from '../../../eval/jsonl';

describe('the run files', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'sage-eval-jsonl-')), 'answers.jsonl');

  it('append one line per value and read them back; a missing file has none', () => {
    const path = file();
    expect(readJsonl(path)).toEqual([]);
    appendJsonl(path, { id: 'a', text: 'line\nbreak' });
    appendJsonl(path, { id: 'b' });
    expect(readJsonl(path)).toEqual([{ id: 'a', text: 'line\nbreak' }, { id: 'b' }]);
  });

  it('drop a partial last line left by a killed run, from the file too, so the next line starts clean', () => {
    const path = file();
    writeFileSync(path, '{"id":"a"}\n{"id":"b","pred');
    expect(readJsonl(path)).toEqual([{ id: 'a' }]);
    expect(readFileSync(path, 'utf8')).toBe('{"id":"a"}\n');
    appendJsonl(path, { id: 'b' });
    expect(readJsonl(path)).toEqual([{ id: 'a' }, { id: 'b' }]);
  });
});

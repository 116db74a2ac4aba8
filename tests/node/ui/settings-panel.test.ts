import { describe, expect, it } from 'vitest';
import { persistText, storedByModel, storedText } from '../../../src/ui/settings-panel';
import { MODELS } from '../../../src/models/registry';
import type { CachedModel } from '../../../src/models/model-cache';

const whisper: CachedModel = { id: 'whisper-base', label: 'Whisper base', bytes: 77 * 2 ** 20, files: 1 };
const stray: CachedModel = { id: 'someone/old-model', label: 'someone/old-model', bytes: 2048, files: 3 };

describe('models panel storage', () => {
  it('puts stored registry models on their rows and anything else apart', () => {
    const { byId, other } = storedByModel([whisper, stray], MODELS);
    expect(byId.get('whisper-base')).toBe(whisper);
    expect(byId.size).toBe(1);
    expect(other).toEqual([stray]);
  });

  it('says how much a model takes, or that it is not stored', () => {
    expect(storedText(whisper)).toBe('77 MB (1 file)');
    expect(storedText(stray)).toBe('2 KB (3 files)');
    expect(storedText(undefined)).toBe('not stored');
  });

  it('says whether the browser promised to keep the models', () => {
    expect(persistText(true)).toMatch(/will keep/);
    expect(persistText(false)).toMatch(/may delete/);
  });
});

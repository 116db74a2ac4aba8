import { describe, expect, it } from 'vitest';
import { TranscriptCache } from '../../../src/tools/transcript-cache';

describe('TranscriptCache', () => {
  it('reports the whole window as uncovered at first', () => {
    expect(new TranscriptCache().uncovered({ start: 10, end: 70 })).toEqual([{ start: 10, end: 70 }]);
  });

  it('reports only the parts not transcribed yet', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 20, end: 40 }, []);
    cache.add({ start: 50, end: 60 }, []);
    expect(cache.uncovered({ start: 0, end: 100 })).toEqual([
      { start: 0, end: 20 },
      { start: 40, end: 50 },
      { start: 60, end: 100 },
    ]);
    expect(cache.uncovered({ start: 25, end: 55 })).toEqual([{ start: 40, end: 50 }]);
    expect(cache.uncovered({ start: 21, end: 39 })).toEqual([]);
  });

  it('leaves out slivers too short to hold a word', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 10 }, []);
    cache.add({ start: 10.1, end: 20 }, []);
    expect(cache.uncovered({ start: 0, end: 20 })).toEqual([]);
    expect(cache.uncovered({ start: 0, end: 20 }, 0)).toEqual([{ start: 10, end: 10.1 }]);
  });

  it('merges covered spans', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 10 }, []);
    cache.add({ start: 10, end: 20 }, []);
    cache.add({ start: 5, end: 12 }, []);
    expect(cache.coveredSpans()).toEqual([{ start: 0, end: 20 }]);
  });

  it('returns segments overlapping the window in time order, without duplicates', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 10, end: 20 }, [
      { start: 15, end: 18, text: 'second' },
      { start: 11, end: 13, text: 'first' },
    ]);
    cache.add({ start: 0, end: 10 }, [{ start: 2, end: 9.5, text: 'zeroth' }]);
    cache.add({ start: 10, end: 20 }, [{ start: 11, end: 13, text: 'first' }]);
    expect(cache.lookup({ start: 0, end: 20 }).map((s) => s.text)).toEqual(['zeroth', 'first', 'second']);
    expect(cache.lookup({ start: 9, end: 12 }).map((s) => s.text)).toEqual(['zeroth', 'first']);
    expect(cache.lookup({ start: 13, end: 15 })).toEqual([]);
  });

  it('hands out copies', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 5 }, [{ start: 1, end: 2, text: 'hi' }]);
    cache.lookup({ start: 0, end: 5 })[0]!.text = 'changed';
    expect(cache.lookup({ start: 0, end: 5 })[0]!.text).toBe('hi');
  });
});

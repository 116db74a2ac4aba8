import { describe, expect, it } from 'vitest';
import { TranscriptCache, type TranscriptSnapshot } from '../../../src/tools/transcript-cache';

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

  it('writes out what it holds and reads it back into a new cache, merged with what that one has', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 300 }, [{ start: 2, end: 5, text: 'first' }]);
    cache.add({ start: 600, end: 900 }, [{ start: 610, end: 612, text: 'third' }]);
    const snapshot = JSON.parse(JSON.stringify(cache.snapshot())) as TranscriptSnapshot;
    expect(snapshot).toEqual({
      covered: [{ start: 0, end: 300 }, { start: 600, end: 900 }],
      segments: [{ start: 2, end: 5, text: 'first' }, { start: 610, end: 612, text: 'third' }],
    });

    const reloaded = new TranscriptCache();
    reloaded.add({ start: 300, end: 600 }, [{ start: 301, end: 303, text: 'second' }, { start: 2, end: 5, text: 'first' }]);
    reloaded.restore(snapshot);
    expect(reloaded.coveredSpans()).toEqual([{ start: 0, end: 900 }]);
    expect(reloaded.lookup({ start: 0, end: 900 }).map((s) => s.text)).toEqual(['first', 'second', 'third']);
    expect(reloaded.uncovered({ start: 0, end: 1200 })).toEqual([{ start: 900, end: 1200 }]);
  });

  it('tells subscribers about every add, not about a restore, until they unsubscribe', () => {
    const cache = new TranscriptCache();
    let calls = 0;
    const stop = cache.subscribe(() => calls++);
    cache.add({ start: 0, end: 5 }, []);
    cache.restore({ covered: [{ start: 5, end: 10 }], segments: [] });
    expect(calls).toBe(1);
    stop();
    cache.add({ start: 10, end: 15 }, []);
    expect(calls).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { TranscriptCache, type TranscriptSnapshot } from '../../../src/tools/transcript-cache';
import { keepTranscript, parseSnapshot, transcriptKey, type TranscriptStorage } from '../../../src/tools/transcript-store';

const parts = { name: 'talk.mp4', model: 'whisper-base', language: undefined };

function bytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return out;
}

describe('transcriptKey', () => {
  const big = bytes(3 << 20);
  const file = (data: Uint8Array<ArrayBuffer>, lastModified = 1_700_000_000_000, name = 'talk.mp4') => new File([data], name, { lastModified });

  it('is the same for the same file opened again, and differs by name, size, time, model and language', async () => {
    const key = await transcriptKey(file(big), parts);
    expect(await transcriptKey(file(big.slice()), parts)).toBe(key);
    const others = await Promise.all([
      transcriptKey(file(big, 1_700_000_000_001), parts),
      transcriptKey(file(big, undefined, 'other.mp4'), { ...parts, name: 'other.mp4' }),
      transcriptKey(file(big.subarray(1)), parts),
      transcriptKey(file(big), { ...parts, model: 'whisper-tiny' }),
      transcriptKey(file(big), { ...parts, language: 'en' }),
      // A fetched Blob has no modification time.
      transcriptKey(new Blob([big]), parts),
    ]);
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  it('sees a change in the bytes it samples: the start, the end, and slices between', async () => {
    const key = await transcriptKey(file(big), parts);
    for (const at of [0, big.length - 1, Math.round((big.length - 65_536) * (3 / 7)) + 100]) {
      const changed = big.slice();
      changed[at] = changed[at]! ^ 0xff;
      expect(await transcriptKey(file(changed), parts), `byte ${at}`).not.toBe(key);
    }
  });

  it('hashes the whole of a small file', async () => {
    const small = bytes(100_000);
    const changed = small.slice();
    changed[70_000] = changed[70_000]! ^ 1;
    expect(await transcriptKey(file(changed), parts)).not.toBe(await transcriptKey(file(small), parts));
  });
});

describe('parseSnapshot', () => {
  it('takes a stored record and keeps only the transcript', () => {
    expect(parseSnapshot({ key: 'k', format: 1, covered: [{ start: 0, end: 300 }], segments: [{ start: 1, end: 2, text: 'hi', extra: true }] })).toEqual({
      covered: [{ start: 0, end: 300 }],
      segments: [{ start: 1, end: 2, text: 'hi' }],
    });
  });

  it('refuses anything else', () => {
    for (const bad of [null, 'text', {}, { covered: [], segments: {} }, { covered: [{ start: 5, end: 1 }], segments: [] }, { covered: [], segments: [{ start: 0, end: 1 }] }, { covered: [{ start: NaN, end: 1 }], segments: [] }]) {
      expect(parseSnapshot(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

/** An in-memory store that records saves, and can be made to fail or to hold saves back. */
class MemoryStore implements TranscriptStorage {
  readonly records = new Map<string, TranscriptSnapshot>();
  readonly saves: TranscriptSnapshot[] = [];
  failWith: Error | null = null;
  private held: Array<() => void> | null = null;

  async load(key: string): Promise<TranscriptSnapshot | null> {
    if (this.failWith) throw this.failWith;
    return structuredClone(this.records.get(key) ?? null);
  }

  async remove(key: string): Promise<void> {
    this.records.delete(key);
  }

  dispose(): void {}

  async save(key: string, snapshot: TranscriptSnapshot): Promise<void> {
    if (this.held) await new Promise<void>((release) => this.held!.push(release));
    if (this.failWith) throw this.failWith;
    this.saves.push(structuredClone(snapshot));
    this.records.set(key, structuredClone(snapshot));
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('keepTranscript', () => {
  const file = new File([bytes(10_000)], 'talk.mp4', { lastModified: 1 });
  const keep = (cache: TranscriptCache, store: TranscriptStorage, extra: Partial<Parameters<typeof keepTranscript>[1]> = {}) => {
    const notices: AppError[] = [];
    const controller = new AbortController();
    const ready = keepTranscript(cache, { ...parts, store, file, signal: controller.signal, onUnavailable: (e) => notices.push(e), ...extra });
    return { ready, notices, controller };
  };

  it('saves after each add, and a new cache for the same file gets it all back', async () => {
    const store = new MemoryStore();
    const first = new TranscriptCache();
    await keep(first, store).ready;
    first.add({ start: 0, end: 300 }, [{ start: 3, end: 6, text: 'hello there' }]);
    await settle();
    first.add({ start: 300, end: 600 }, []);
    await settle();
    expect(store.saves.map((s) => s.covered)).toEqual([[{ start: 0, end: 300 }], [{ start: 0, end: 600 }]]);

    const reloaded = new TranscriptCache();
    await keep(reloaded, store).ready;
    expect(reloaded.snapshot()).toEqual({ covered: [{ start: 0, end: 600 }], segments: [{ start: 3, end: 6, text: 'hello there' }] });
    // Restoring is not a change: nothing is written back.
    await settle();
    expect(store.saves).toHaveLength(2);
  });

  it('aborted before the stored transcript is read, restores nothing and writes nothing more', async () => {
    const store = new MemoryStore();
    const first = new TranscriptCache();
    await keep(first, store).ready;
    first.add({ start: 0, end: 300 }, [{ start: 3, end: 6, text: 'hello' }]);
    await settle();
    const again = new TranscriptCache();
    const kept = keep(again, store);
    kept.controller.abort();
    await kept.ready;
    expect(again.coveredSpans()).toEqual([]);
    again.add({ start: 300, end: 400 }, []);
    await settle();
    expect(store.saves).toHaveLength(1);
  });

  it('a span transcribed before a clear is dropped, and the cache is empty after it', () => {
    const cache = new TranscriptCache();
    cache.add({ start: 0, end: 10 }, [{ start: 1, end: 2, text: 'kept' }]);
    const started = cache.generation;
    cache.clear();
    cache.add({ start: 10, end: 20 }, [{ start: 11, end: 12, text: 'old model' }], started);
    expect(cache.snapshot()).toEqual({ covered: [], segments: [] });
    cache.add({ start: 10, end: 20 }, [{ start: 11, end: 12, text: 'new model' }]);
    expect(cache.lookup({ start: 0, end: 30 }).map((s) => s.text)).toEqual(['new model']);
  });

  it('gives nothing to another model', async () => {
    const store = new MemoryStore();
    const first = new TranscriptCache();
    await keep(first, store).ready;
    first.add({ start: 0, end: 300 }, [{ start: 3, end: 6, text: 'hello' }]);
    await settle();
    const other = new TranscriptCache();
    await keep(other, store, { model: 'whisper-tiny' }).ready;
    expect(other.coveredSpans()).toEqual([]);
  });

  it('does not overwrite the stored transcript with what was added before it was read back', async () => {
    const store = new MemoryStore();
    const first = new TranscriptCache();
    await keep(first, store).ready;
    first.add({ start: 0, end: 300 }, [{ start: 3, end: 6, text: 'before' }]);
    await settle();

    const reloaded = new TranscriptCache();
    const { ready } = keep(reloaded, store);
    // The agent transcribes a span while the stored transcript is still being read.
    reloaded.add({ start: 900, end: 960 }, [{ start: 901, end: 902, text: 'meanwhile' }]);
    await ready;
    await settle();
    expect(store.saves.at(-1)).toEqual({
      covered: [{ start: 0, end: 300 }, { start: 900, end: 960 }],
      segments: [{ start: 3, end: 6, text: 'before' }, { start: 901, end: 902, text: 'meanwhile' }],
    });
  });

  it('runs one save at a time and ends with the latest state', async () => {
    const store = new MemoryStore();
    const cache = new TranscriptCache();
    await keep(cache, store).ready;
    store.hold();
    for (let i = 0; i < 5; i++) cache.add({ start: i * 10, end: i * 10 + 10 }, []);
    store.release();
    await settle();
    await settle();
    expect(store.saves.length).toBeLessThanOrEqual(2);
    expect(store.saves.at(-1)?.covered).toEqual([{ start: 0, end: 50 }]);
  });

  it('stops saving when the video is closed', async () => {
    const store = new MemoryStore();
    const cache = new TranscriptCache();
    const { ready, controller } = keep(cache, store);
    await ready;
    controller.abort();
    cache.add({ start: 0, end: 10 }, []);
    await settle();
    expect(store.saves).toEqual([]);
  });

  it('goes on in memory, with one notice, when the browser will not store', async () => {
    const store = new MemoryStore();
    store.failWith = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const cache = new TranscriptCache();
    const { ready, notices } = keep(cache, store);
    await ready;
    expect(notices.map((e) => e.code)).toEqual(['quota-exceeded']);

    const later = new MemoryStore();
    const second = new TranscriptCache();
    const kept = keep(second, later);
    await kept.ready;
    later.failWith = new Error('SecurityError');
    second.add({ start: 0, end: 10 }, [{ start: 1, end: 2, text: 'still here' }]);
    second.add({ start: 10, end: 20 }, []);
    await settle();
    await settle();
    expect(kept.notices.map((e) => [e.code, e.message])).toEqual([['storage-unavailable', expect.stringMatching(/only while the page is open/)]]);
    expect(second.lookup({ start: 0, end: 20 }).map((s) => s.text)).toEqual(['still here']);
  });
});

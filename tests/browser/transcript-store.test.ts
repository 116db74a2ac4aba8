/**
 * Transcripts kept in Chromium's real IndexedDB: a partial transcript of a fixture file is saved as
 * it grows, and a new store and cache (what a reload makes) get it back, but only for the same
 * file, model and language. The store keeps the transcripts used last, forgets one on request, and
 * reads a database of its first version.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureFile } from './media-helpers';
import { TranscriptCache } from '../../src/tools/transcript-cache';
import { keepTranscript, transcriptKey, TranscriptStore } from '../../src/tools/transcript-store';
import type { AppError } from '../../src/core/errors';

const DATABASE = `sage-transcripts-test-${crypto.randomUUID()}`;

/** The fixture as a dropped file: a File with the modification time it has on disk. */
async function dropped(name: string, lastModified = 1_700_000_000_000): Promise<File> {
  return new File([await fixtureFile(name)], name, { lastModified });
}

/** A cache kept in a store on `DATABASE`, as the element makes one when a video opens. */
async function open(file: File, model = 'whisper-base', language?: string) {
  const store = new TranscriptStore({ name: DATABASE });
  const cache = new TranscriptCache();
  const notices: AppError[] = [];
  await keepTranscript(cache, { store, file, name: file.name, model, language, signal: new AbortController().signal, onUnavailable: (e) => notices.push(e) });
  return { store, cache, notices };
}

/** What a separate connection finds stored for the file with whisper-base. */
async function stored(file: File) {
  const store = new TranscriptStore({ name: DATABASE });
  try {
    return await store.load(await transcriptKey(file, { name: file.name, model: 'whisper-base', language: undefined }));
  } finally {
    store.dispose();
  }
}

afterAll(async () => {
  for (const name of [DATABASE, `${DATABASE}-keep`, `${DATABASE}-remove`, `${DATABASE}-v1`]) {
    await new Promise((done) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = done;
    });
  }
});

describe('TranscriptStore in IndexedDB', () => {
  it('gives a partial transcript back after a reload, for the same file, model and language only', async () => {
    const file = await dropped('speech.mp4');
    const first = await open(file);
    expect(first.cache.coveredSpans()).toEqual([]);
    first.cache.add({ start: 0, end: 6 }, [{ start: 2, end: 5, text: 'The quick brown fox jumps over the lazy dog.' }]);
    first.cache.add({ start: 6, end: 8 }, []);
    // Saved as it goes: a second connection sees the latest state without the first closing.
    await expect.poll(async () => (await stored(file))?.covered).toEqual([{ start: 0, end: 8 }]);
    first.store.dispose();
    first.store.dispose();

    const reloaded = await open(await dropped('speech.mp4'));
    expect(reloaded.cache.coveredSpans()).toEqual([{ start: 0, end: 8 }]);
    expect(reloaded.cache.lookup({ start: 0, end: 15 })).toEqual([{ start: 2, end: 5, text: 'The quick brown fox jumps over the lazy dog.' }]);
    expect(reloaded.cache.uncovered({ start: 0, end: 15 })).toEqual([{ start: 8, end: 15 }]);
    expect(reloaded.notices).toEqual([]);

    for (const other of [
      await open(await dropped('counter.mp4')),
      await open(await dropped('speech.mp4', 1_700_000_000_001)),
      await open(file, 'whisper-tiny'),
      await open(file, 'whisper-base', 'de'),
    ]) {
      expect(other.cache.coveredSpans()).toEqual([]);
      other.store.dispose();
    }

    // Finishing the file later keeps the whole of it.
    reloaded.cache.add({ start: 8, end: 15 }, [{ start: 9, end: 11.8, text: 'Seven purple elephants are dancing in the garden.' }]);
    await expect.poll(async () => (await stored(file))?.segments.length).toBe(2);
    reloaded.store.dispose();
  });
});

describe('TranscriptStore: what it keeps', () => {
  const snapshot = (end: number) => ({ covered: [{ start: 0, end }], segments: [{ start: 0, end, text: `until ${end}` }] });
  const pause = () => new Promise((done) => setTimeout(done, 5));

  it('keeps the transcripts used last up to its count; loading one counts as using it', async () => {
    const store = new TranscriptStore({ name: `${DATABASE}-keep`, keep: 3 });
    for (const key of ['a', 'b', 'c']) {
      await store.save(key, snapshot(1));
      await pause();
    }
    // Opening "a" again makes "b" the one used longest ago.
    expect(await store.load('a')).toEqual(snapshot(1));
    await pause();
    await store.save('d', snapshot(2));
    expect(await store.load('b')).toBeNull();
    for (const key of ['a', 'c', 'd']) expect(await store.load(key), key).not.toBeNull();
    store.dispose();
  });

  it('forgets one transcript on request and leaves the others', async () => {
    const store = new TranscriptStore({ name: `${DATABASE}-remove` });
    await store.save('a', snapshot(1));
    await store.save('b', snapshot(2));
    await store.remove('a');
    await store.remove('no such key');
    expect(await store.load('a')).toBeNull();
    expect(await store.load('b')).toEqual(snapshot(2));
    store.dispose();
  });

  it('a database written by the first version keeps its transcripts, and they can be forgotten in turn', async () => {
    const name = `${DATABASE}-v1`;
    await new Promise<void>((done, fail) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        const objects = request.result.createObjectStore('transcripts', { keyPath: 'key' });
        objects.put({ key: 'old', format: 1, savedAt: 1, ...snapshot(5) });
      };
      request.onsuccess = () => {
        request.result.close();
        done();
      };
      request.onerror = () => fail(request.error ?? new Error('open failed'));
    });
    const store = new TranscriptStore({ name, keep: 1 });
    expect(await store.load('old')).toEqual(snapshot(5));
    await pause();
    await store.save('new', snapshot(1));
    expect(await store.load('old')).toBeNull();
    store.dispose();
  });
});

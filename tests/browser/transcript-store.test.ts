/**
 * Transcripts kept in Chromium's real IndexedDB: a partial transcript of a fixture file is saved as
 * it grows, and a new store and cache (what a reload makes) get it back, but only for the same
 * file, model and language.
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
  const store = new TranscriptStore(DATABASE);
  const cache = new TranscriptCache();
  const notices: AppError[] = [];
  await keepTranscript(cache, { store, file, name: file.name, model, language, signal: new AbortController().signal, onUnavailable: (e) => notices.push(e) });
  return { store, cache, notices };
}

/** What a separate connection finds stored for the file with whisper-base. */
async function stored(file: File) {
  const store = new TranscriptStore(DATABASE);
  try {
    return await store.load(await transcriptKey(file, { name: file.name, model: 'whisper-base', language: undefined }));
  } finally {
    store.dispose();
  }
}

afterAll(async () => {
  await new Promise((done) => {
    const request = indexedDB.deleteDatabase(DATABASE);
    request.onsuccess = request.onerror = request.onblocked = done;
  });
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

/**
 * Transcripts kept in the browser (IndexedDB), per file, speech model and language, so a reload
 * does not start transcription over. `keepTranscript` ties one video's TranscriptCache to the
 * store: what was stored is merged in when the video opens, and the cache is saved again after
 * every span it gains. When the browser will not store (private mode, full quota) transcription
 * goes on in memory and the owner is told once. The store keeps the transcripts used last, up to a
 * count, so it does not grow with every file ever opened.
 */
import { AppError, toAppError } from '../core/errors';
import type { TranscriptCache, TranscriptSnapshot } from './transcript-cache';
import type { TimeSpan, TranscriptSegment } from '../core/contracts';

export interface TranscriptStorage {
  load(key: string): Promise<TranscriptSnapshot | null>;
  save(key: string, snapshot: TranscriptSnapshot): Promise<void>;
  /** Forgets the key's transcript; nothing happens when there is none. */
  remove(key: string): Promise<void>;
  dispose(): void;
}

export interface TranscriptKeyParts {
  /** The file's name as opened (a dropped file's, or the last part of a URL). */
  name: string;
  /** Registry id of the speech model. */
  model: string;
  /** Spoken language given to Whisper; undefined when Whisper detects it. */
  language: string | undefined;
}

/** Bytes read from the file for its identity: a few slices, so a 1 GB file costs no more than a small one. */
const SLICE_BYTES = 64 * 1024;
const SLICES = 8;

/**
 * The store key of a file's transcript: its name, size, modification time (a File has one; a
 * fetched Blob does not), a hash of a few slices of its bytes, the model and the language.
 */
export async function transcriptKey(file: Blob, parts: TranscriptKeyParts): Promise<string> {
  const last = Math.max(0, file.size - SLICE_BYTES);
  const offsets = file.size <= SLICE_BYTES * SLICES ? [0] : Array.from({ length: SLICES }, (_, i) => Math.round((last * i) / (SLICES - 1)));
  const length = offsets.length === 1 ? file.size : SLICE_BYTES;
  const hash = new SliceHash();
  for (const offset of offsets) hash.add(new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()));
  const modified = file instanceof File ? file.lastModified : null;
  return JSON.stringify([parts.name, file.size, modified, hash.hex(), parts.model, parts.language ?? 'auto']);
}

/** Two 32-bit multiplicative hashes side by side: enough to tell files apart, not a security measure. */
class SliceHash {
  private a = 0x811c9dc5;
  private b = 0x2545f491;

  add(bytes: Uint8Array): void {
    let { a, b } = this;
    for (const byte of bytes) {
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
  }

  hex(): string {
    return [this.a, this.b].map((n) => (n >>> 0).toString(16).padStart(8, '0')).join('');
  }
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isSpan = (value: unknown): value is TimeSpan => {
  const span = value as TimeSpan | null;
  return typeof span === 'object' && span !== null && isTime(span.start) && isTime(span.end) && span.end >= span.start;
};

/** A stored record as a snapshot, or null when it is not one (damaged, or written by another version). */
export function parseSnapshot(value: unknown): TranscriptSnapshot | null {
  const record = value as Partial<TranscriptSnapshot> | null;
  if (typeof record !== 'object' || record === null || !Array.isArray(record.covered) || !Array.isArray(record.segments)) return null;
  if (!record.covered.every(isSpan)) return null;
  if (!record.segments.every((s: TranscriptSegment) => isSpan(s) && typeof s.text === 'string')) return null;
  return {
    covered: record.covered.map(({ start, end }) => ({ start, end })),
    segments: record.segments.map(({ start, end, text }) => ({ start, end, text })),
  };
}

const DATABASE = 'sage-transcripts';
const OBJECTS = 'transcripts';
/** Records by when they were last loaded or saved, oldest first. */
const BY_USE = 'usedAt';
/** Version 2 added BY_USE. */
const VERSION = 2;
/** Transcripts kept; saving past this forgets those used longest ago. An hour of speech is tens of KB. */
export const KEPT_TRANSCRIPTS = 200;
/** Records of another format are ignored, and overwritten at the next save. */
const FORMAT = 1;

const UNAVAILABLE = "This browser does not let the page keep transcripts (private browsing, or site data blocked), so this one lasts only while the page is open.";

/** IndexedDB's failures as AppErrors a person can read. */
function storageError(error: unknown): AppError {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return new AppError('quota-exceeded', "This browser's storage for the site is full, so the transcript lasts only while the page is open.", { cause: error, detail: error.message });
  }
  return toAppError(error, 'storage-unavailable', UNAVAILABLE);
}

/** IndexedDB reports failures as a DOMException on the request or transaction, null when it gave none. */
function idbError(error: DOMException | null): Error {
  return error ?? new Error('IndexedDB failed without saying why');
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(idbError(request.error));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    // A full quota aborts the transaction, with the error on it rather than on the request.
    transaction.onabort = () => reject(idbError(transaction.error));
    transaction.onerror = () => reject(idbError(transaction.error));
  });
}

export interface TranscriptStoreOptions {
  /** The IndexedDB database's name. */
  name?: string;
  /** How many transcripts to keep. */
  keep?: number;
}

/** One record per key in an IndexedDB database; the connection opens on first use. */
export class TranscriptStore implements TranscriptStorage {
  private database: Promise<IDBDatabase> | null = null;
  private readonly name: string;
  private readonly keep: number;

  constructor(options: TranscriptStoreOptions = {}) {
    this.name = options.name ?? DATABASE;
    this.keep = options.keep ?? KEPT_TRANSCRIPTS;
  }

  /** The key's transcript, marked as used now so it is among the last to be forgotten. */
  async load(key: string): Promise<TranscriptSnapshot | null> {
    try {
      const database = await this.open();
      const transaction = database.transaction(OBJECTS, 'readwrite');
      const objects = transaction.objectStore(OBJECTS);
      const record = (await settle(objects.get(key))) as ({ format?: number } & Record<string, unknown>) | undefined;
      const snapshot = record?.format === FORMAT ? parseSnapshot(record) : null;
      if (snapshot) objects.put({ ...record, usedAt: Date.now() });
      await committed(transaction);
      return snapshot;
    } catch (error) {
      throw storageError(error);
    }
  }

  /** Replaces the key's record with `snapshot`, then forgets the transcripts used longest ago past the count kept. */
  async save(key: string, snapshot: TranscriptSnapshot): Promise<void> {
    try {
      const database = await this.open();
      const transaction = database.transaction(OBJECTS, 'readwrite');
      const objects = transaction.objectStore(OBJECTS);
      const now = Date.now();
      objects.put({ key, format: FORMAT, savedAt: now, usedAt: now, covered: snapshot.covered, segments: snapshot.segments });
      const count = await settle(objects.count());
      if (count > this.keep) await forgetOldest(objects, count - this.keep);
      await committed(transaction);
    } catch (error) {
      throw storageError(error);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      const database = await this.open();
      const transaction = database.transaction(OBJECTS, 'readwrite');
      transaction.objectStore(OBJECTS).delete(key);
      await committed(transaction);
    } catch (error) {
      throw storageError(error);
    }
  }

  /** Closes the connection; calling it again does nothing, and a later load or save reopens it. */
  dispose(): void {
    const database = this.database;
    this.database = null;
    void database?.then((db) => db.close(), () => {});
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(this.name, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const objects = db.objectStoreNames.contains(OBJECTS) ? request.transaction!.objectStore(OBJECTS) : db.createObjectStore(OBJECTS, { keyPath: 'key' });
        if (!objects.indexNames.contains(BY_USE)) {
          objects.createIndex(BY_USE, BY_USE);
          // Records of version 1 count as used when they were saved, so the index holds them too.
          objects.openCursor().onsuccess = (event) => {
            const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
            if (!cursor) return;
            const record = cursor.value as { savedAt?: number; usedAt?: number };
            if (record.usedAt === undefined) cursor.update({ ...record, usedAt: record.savedAt ?? 0 });
            cursor.continue();
          };
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the database must not wait for this one.
        db.onversionchange = () => {
          db.close();
          this.database = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(idbError(request.error));
    });
    const opening = this.database;
    // A failed open is not kept, so the next call tries again.
    opening.catch(() => {
      if (this.database === opening) this.database = null;
    });
    return opening;
  }
}

/** Deletes the `count` records used longest ago, reading only their keys. */
function forgetOldest(objects: IDBObjectStore, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = count;
    const request = objects.index(BY_USE).openKeyCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || left === 0) {
        resolve();
        return;
      }
      objects.delete(cursor.primaryKey);
      left--;
      cursor.continue();
    };
    request.onerror = () => reject(idbError(request.error));
  });
}

export interface KeepTranscriptOptions extends TranscriptKeyParts {
  store: TranscriptStorage;
  /** The opened file, for its identity. */
  file: Blob;
  /** Aborted when the video closes: no saves start after it (one under way still finishes). */
  signal: AbortSignal;
  /** Called at most once, when the transcript cannot be stored; it is kept in memory from then on. */
  onUnavailable(error: AppError): void;
}

/**
 * Restores what the store holds for this file into `cache` (resolves when done, never rejects),
 * then saves the cache after every `add`, one save at a time, the latest state last.
 */
export async function keepTranscript(cache: TranscriptCache, options: KeepTranscriptOptions): Promise<void> {
  const { store, signal } = options;
  let key: string | null = null;
  let dirty = false;
  let saving = false;
  let failed = false;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    stop();
    options.onUnavailable(storageError(error));
  };
  const flush = async (): Promise<void> => {
    // Nothing is saved before the stored transcript is merged in, or the record would lose it.
    if (saving || key === null || failed) return;
    saving = true;
    try {
      // Once aborted nothing more is written: the key may no longer be this cache's.
      while (dirty && !failed && !signal.aborted) {
        dirty = false;
        await store.save(key, cache.snapshot());
      }
    } catch (error) {
      fail(error);
    } finally {
      saving = false;
    }
  };
  const stop = cache.subscribe(() => {
    dirty = true;
    void flush();
  });
  signal.addEventListener('abort', stop, { once: true });
  try {
    const found = await transcriptKey(options.file, options);
    const saved = await store.load(found);
    // Aborted meanwhile (the video closed, another model): the cache is no longer this key's.
    if (signal.aborted) return;
    if (saved) cache.restore(saved);
    key = found;
  } catch (error) {
    fail(error);
    return;
  }
  void flush();
}

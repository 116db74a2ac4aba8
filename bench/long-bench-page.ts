/**
 * Runs inside headless Chromium, driven by bench/run.ts (`long`): one long file per page load,
 * opened, skimmed and partly transcribed through the real media and Whisper workers, with the
 * page's and each worker's memory after every stage.
 */
import { MediaClient, type MediaFile } from '../src/media/media-client';
import { WhisperClient } from '../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../src/models/engines/whisper-models';
import { pageMemory } from './page-memory';

const media = new MediaClient();
let whisper: WhisperClient | null = null;
let opened: MediaFile | null = null;

function file(): MediaFile {
  if (!opened) throw new Error('open() first');
  return opened;
}

const bench = {
  memory: pageMemory,

  async open() {
    const input = (document.getElementById('file') as HTMLInputElement).files?.[0];
    if (!input) throw new Error('no file selected');
    const start = performance.now();
    opened = await media.open(input);
    return { ms: performance.now() - start, durationSeconds: opened.probe.durationSeconds, fileSize: opened.probe.fileSize };
  },

  /** A fast skim of `count` frames, or as many as the app takes for this length (what Stage 1 sees); closed at once. */
  async skim(count?: number) {
    const start = performance.now();
    const frames = await file().skim({ mode: 'fast', maxSide: 384, ...(count ? { count } : {}) });
    const ms = performance.now() - start;
    for (const frame of frames) if (frame.image instanceof ImageBitmap) frame.image.close();
    const stats = await media.stats();
    return { ms, frames: frames.length, liveFrames: stats.liveFrames };
  },

  /** The frame showing at `time`, as a seek would ask for it. */
  async seek(time: number) {
    const start = performance.now();
    const frame = await file().frameAt(time, 640);
    const ms = performance.now() - start;
    frame.image.close();
    return { ms, timestamp: frame.timestamp };
  },

  /** Whisper base (WASM, as the app runs it here) over `seconds` of audio from `start`; the load is not timed. */
  async transcribe(start: number, seconds: number) {
    if (!whisper) {
      whisper = new WhisperClient();
      await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
    }
    const readStart = performance.now();
    const audio = await file().audio({ start, end: start + seconds });
    const decodeMs = performance.now() - readStart;
    const transcribeStart = performance.now();
    const result = await whisper.transcribe(audio, { offsetSeconds: start, language: 'en', vad: true });
    return {
      decodeMs,
      transcribeMs: performance.now() - transcribeStart,
      audioSeconds: audio.length / 16_000,
      words: result.segments.map((s) => s.text).join(' ').split(/\s+/).filter(Boolean).length,
    };
  },

  async tearDown() {
    await opened?.dispose();
    await whisper?.dispose();
    media.dispose();
  },
};

declare global {
  interface Window {
    longBench: typeof bench;
  }
}

window.longBench = bench;
document.title = 'ready';

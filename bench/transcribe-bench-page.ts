/**
 * Runs inside headless Chromium, driven by bench/run.ts: "Transcribe all" on the long speech file
 * (bench/make-long-speech.ts) as src/workspace/ runs it: windows of TRANSCRIBE_WINDOW_SECONDS through
 * `verbalTranscript`, one TranscriptCache kept in IndexedDB by `keepTranscript`, Whisper base q8
 * on WASM behind VAD, and no language given (Whisper detects it, as in the app).
 */
import { MediaClient, type MediaFile } from '../src/media/media-client';
import { StreamingResampler } from '../src/media/resampler';
import { WhisperClient } from '../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../src/models/engines/whisper-models';
import { totalLength } from '../src/speech/spans';
import { TranscriptCache } from '../src/tools/transcript-cache';
import { keepTranscript, TranscriptStore } from '../src/tools/transcript-store';
import { verbalTranscript } from '../src/tools/verbal-transcript';
import { TRANSCRIBE_WINDOW_SECONDS } from '../src/workspace/video-transcript';
import { SPEECH_MODEL_ID } from '../src/runtime/engine-contracts';

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const media = new MediaClient();
const store = new TranscriptStore();
let opened: { file: File; media: MediaFile; whisper: WhisperClient } | null = null;

function selectedFile(): File {
  const file = (document.getElementById('file') as HTMLInputElement).files?.[0];
  if (!file) throw new Error('no file selected');
  return file;
}

/** The cache of the selected file, filled from the store as the workspace fills it when a video opens. */
async function keptCache(file: File): Promise<TranscriptCache> {
  const cache = new TranscriptCache();
  await keepTranscript(cache, {
    store,
    file,
    name: file.name,
    model: SPEECH_MODEL_ID,
    language: undefined,
    signal: new AbortController().signal,
    // The run goes on in memory, as the app's would; keptSeconds() then reports 0.
    onUnavailable: (error) => console.error(error.message),
  });
  return cache;
}

function ready(): NonNullable<typeof opened> {
  if (!opened) throw new Error('setUp() first');
  return opened;
}

const bench = {
  /** Opens the selected file and loads Whisper, so the timed run starts warm. */
  async setUp() {
    const file = selectedFile();
    const start = performance.now();
    const whisper = new WhisperClient();
    await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
    const loadMs = performance.now() - start;
    opened = { file, media: await media.open(file), whisper };
    return { loadMs, durationSeconds: opened.media.probe.durationSeconds };
  },

  /** Transcribes [0, limitSeconds] window by window; each window's figures go to the console as it ends. */
  async transcribeAll(limitSeconds: number) {
    const { file, media: video, whisper } = ready();
    const cache = await keptCache(file);
    const end = Math.min(limitSeconds, video.probe.durationSeconds);
    const windows: Array<{ start: number; end: number; ms: number; whisperSeconds: number }> = [];
    const started = performance.now();
    for (let start = 0; start < end; start += TRANSCRIBE_WINDOW_SECONDS) {
      const window = { start, end: Math.min(end, start + TRANSCRIBE_WINDOW_SECONDS) };
      const windowStarted = performance.now();
      const result = await verbalTranscript({ audio: video, transcriber: whisper, cache }, window);
      const done = { ...window, ms: performance.now() - windowStarted, whisperSeconds: result.whisperSeconds };
      windows.push(done);
      console.info(`window ${JSON.stringify(done)}`);
    }
    const ms = performance.now() - started;
    return {
      ms,
      audioSeconds: end,
      whisperSeconds: windows.reduce((sum, w) => sum + w.whisperSeconds, 0),
      segments: cache.lookup({ start: 0, end }),
      windows,
      windowSeconds: TRANSCRIBE_WINDOW_SECONDS,
    };
  },

  /**
   * The first `seconds` transcribed twice more, outside the cache: with VAD, and with every sample
   * sent to Whisper (the same-run baseline for what VAD saves on silence and music).
   */
  async vadVersusNone(seconds: number) {
    const { media: video, whisper } = ready();
    const audio = await video.audio({ start: 0, end: seconds });
    const run = async (vad: boolean) => {
      const start = performance.now();
      const result = await whisper.transcribe(audio.slice(), { offsetSeconds: 0, vad });
      return { ms: performance.now() - start, segments: result.segments, whisperSeconds: result.whisperSeconds };
    };
    return { vad: await run(true), noVad: await run(false) };
  },

  /**
   * The first `seconds` in windows of `windowSeconds` through `verbalTranscript`, with a cache of
   * its own: windows the size the agent asks for, so many sentences cross a window border.
   */
  async transcribeInWindows(seconds: number, windowSeconds: number) {
    const { media: video, whisper } = ready();
    const cache = new TranscriptCache();
    const started = performance.now();
    for (let start = 0; start < seconds; start += windowSeconds) {
      await verbalTranscript({ audio: video, transcriber: whisper, cache }, { start, end: Math.min(seconds, start + windowSeconds) });
    }
    return { ms: performance.now() - started, segments: cache.lookup({ start: 0, end: seconds }) };
  },

  /**
   * The 16 kHz mono samples of [start, end] as this browser decodes and resamples them (the media
   * worker's path), as base64 of their float32 bytes, for cross_browser.ts to compare engines.
   */
  async pcm(start: number, end: number): Promise<string> {
    const samples = await ready().media.audio({ start, end });
    return toBase64(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  },

  /**
   * Whisper (and VAD) on samples handed in from outside, e.g. the other engine's decode: the same
   * input in both engines, so what differs is the runtime's numerics alone.
   */
  async transcribePcm(base64: string) {
    const bytes = fromBase64(base64);
    const audio = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const result = await ready().whisper.transcribe(audio, { offsetSeconds: 0 });
    return result.segments;
  },

  /** The resampler alone on a fixed 48 kHz signal (a chirp and noise), as base64 float32: pure JS arithmetic. */
  resampled(): string {
    const input = new Float32Array(48_000 * 2);
    let seed = 1;
    for (let i = 0; i < input.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const t = i / 48_000;
      input[i] = 0.5 * Math.sin(2 * Math.PI * (200 + 2000 * t) * t) + 0.1 * (seed / 2_147_483_648 - 0.5);
    }
    const resampler = new StreamingResampler(48_000, 16_000);
    const head = resampler.push(input);
    const tail = resampler.flush();
    const out = new Float32Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return toBase64(new Uint8Array(out.buffer));
  },

  /** Seconds of the selected file the store gives back: what a reload would find. */
  async keptSeconds() {
    return totalLength((await keptCache(selectedFile())).coveredSpans());
  },

  async tearDown() {
    if (!opened) return;
    await opened.whisper.dispose();
    await opened.media.dispose();
    opened = null;
    store.dispose();
  },
};

declare global {
  interface Window {
    transcribeBench: typeof bench;
  }
}

window.transcribeBench = bench;
document.title = 'ready';

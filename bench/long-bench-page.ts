/**
 * Runs inside headless Chromium, driven by bench/run.ts (`long`): one long file per page load,
 * opened, skimmed and partly transcribed through the real media and Whisper workers, with the
 * page's and each worker's memory after every stage; then, with those workers ended, the file
 * opened in the real workspace and one question asked with the tiny test VLM (WASM), as the
 * soak bench asks them.
 */
import { MediaClient, type MediaFile } from '../src/media/media-client';
import { WhisperClient } from '../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../src/models/engines/whisper-models';
import { TINY_TEST_VLM_ID } from '../src/models/registry';
import { Workspace } from '../src/workspace/workspace';
import { pageMemory } from './page-memory';
import { workspaceUntil } from './workspace-until';

const media = new MediaClient();
let whisper: WhisperClient | null = null;
let opened: MediaFile | null = null;
let workspace: Workspace | null = null;

function selectedFile(): File {
  const input = (document.getElementById('file') as HTMLInputElement).files?.[0];
  if (!input) throw new Error('no file selected');
  return input;
}

function file(): MediaFile {
  if (!opened) throw new Error('open() first');
  return opened;
}

const bench = {
  memory: pageMemory,

  async open() {
    const start = performance.now();
    opened = await media.open(selectedFile());
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

  /** Ends the workers of the steps above, so what is measured after `ask` is the workspace's alone. */
  async release() {
    await opened?.dispose();
    opened = null;
    await whisper?.dispose();
    whisper = null;
    media.dispose();
  },

  /**
   * The file opened in the workspace (its skim as the app takes it) and one question asked with
   * the tiny random VLM to its end, whatever the end is (random weights give up).
   */
  async ask(question: string) {
    const space = (workspace = new Workspace());
    const outcomes: string[] = [];
    space.on('step', (event) => {
      if (event.type === 'answer' || event.type === 'gave-up' || event.type === 'error') outcomes.push(event.type);
    });
    space.configure({ model: TINY_TEST_VLM_ID, speech: 'whisper-tiny' });
    const input = selectedFile();
    const openStart = performance.now();
    await space.openFile(input, input.name);
    const until = workspaceUntil(space);
    await until(() => space.state.alert !== null || (space.state.askable && /^Ready/.test(space.state.status)));
    const readyMs = performance.now() - openStart;
    const askStart = performance.now();
    await space.ask(question);
    const askMs = performance.now() - askStart;
    const stats = await space.state.video?.file?.stats();
    return {
      readyMs,
      askMs,
      status: space.state.status,
      outcome: outcomes.join(' ') || 'none',
      alert: space.state.alert?.message ?? null,
      liveFrames: stats?.liveFrames ?? -1,
    };
  },

  async tearDown() {
    await bench.release();
    await workspace?.dispose();
  },
};

declare global {
  interface Window {
    longBench: typeof bench;
  }
}

window.longBench = bench;
document.title = 'ready';

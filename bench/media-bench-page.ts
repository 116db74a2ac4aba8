/**
 * Runs inside headless Chromium, driven by bench/run.ts. Each function times one operation on the
 * file set in the page's file input (a disk-backed File, as a person's drop would give).
 */
import { spreadTimes } from '../src/media/frame-times';
import { MediaClient, type MediaFile } from '../src/media/media-client';
import type { SkimMode } from '../src/media/types';

const client = new MediaClient();
let media: MediaFile | null = null;

function selectedFile(): File {
  const file = (document.getElementById('file') as HTMLInputElement).files?.[0];
  if (!file) throw new Error('no file selected');
  return file;
}

function opened(): MediaFile {
  if (!media) throw new Error('open() first');
  return media;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

const bench = {
  async open() {
    const { ms, result } = await timed(() => client.open(selectedFile()));
    media = result;
    return { ms, durationSeconds: result.probe.durationSeconds, fileSize: result.probe.fileSize };
  },

  /** One skim, and where the worker says its time went (the rest is the trip to this page). */
  async skim(mode: SkimMode, count: number) {
    const { ms, result } = await timed(() => opened().skim({ mode, count, maxSide: 384 }));
    for (const frame of result) if (frame.image instanceof ImageBitmap) frame.image.close();
    const { lastSkim } = await client.stats();
    if (!lastSkim) throw new Error('the worker recorded no skim');
    return { ms, frames: result.length, stages: lastSkim };
  },

  /** The baseline: seek an <video> element to each time and draw it, as a page without WebCodecs would. */
  async elementSeek(count: number) {
    const file = selectedFile();
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    video.src = url;
    await new Promise<void>((resolve, reject) => {
      video.onloadeddata = () => resolve();
      video.onerror = () => reject(new Error('video element could not load the file'));
    });
    const times = spreadTimes(0, video.duration, count);
    const scale = Math.min(1, 384 / Math.max(video.videoWidth, video.videoHeight));
    const canvas = new OffscreenCanvas(Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    const { ms } = await timed(async () => {
      for (const time of times) {
        await new Promise<void>((resolve) => {
          video.onseeked = () => resolve();
          video.currentTime = time;
        });
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        canvas.transferToImageBitmap().close();
      }
    });
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
    return { ms, frames: times.length };
  },

  /** Streams the first `seconds` of audio to 16 kHz mono, keeping only a running count. */
  async audio(seconds: number) {
    const file = opened();
    const { ms, result } = await timed(async () => {
      const reader = (await file.audioStream({ start: 0, end: seconds }, 30)).getReader();
      let samples = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return samples;
        samples += value.samples.length;
      }
    });
    return { ms, samples: result };
  },
};

declare global {
  interface Window {
    mediaBench: typeof bench;
  }
}

window.mediaBench = bench;
document.title = 'ready';

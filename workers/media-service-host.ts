/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { MediaService } from '../src/media/media-service';
import type { MediaWorkerApi } from '../src/media/media-worker-api';
import type { ExtractOptions, Frame, PlaybackAudio, PlaybackFrame, SkimOptions } from '../src/media/types';
import type { TimeSpan } from '../src/core/contracts';
import { installAppErrorTransfer } from '../src/rpc/comlink-errors';

/** Frames move to the caller without copying: bitmaps are transferred, blobs are shared. */
function transferFrames(frames: Frame[]): Frame[] {
  const bitmaps = frames.flatMap((f) => (f.image instanceof ImageBitmap ? [f.image] : []));
  return Comlink.transfer(frames, bitmaps);
}

/**
 * Exposes `service` to the page through comlink as the media worker's API: workers/media.worker.ts
 * exposes the real one, and a browser test one whose file reads it can stall.
 */
export function exposeMediaService(service: MediaService): void {
  installAppErrorTransfer();
  /**
   * Open playback streams by id. Their chunks go out one per call with their pixels or samples
   * transferred: a transferred stream would clone its chunks instead, leaving this side's bitmaps
   * open, and its cancel would not wait for decoding to stop.
   */
  const playbackReaders = new Map<string, ReadableStreamDefaultReader<PlaybackFrame | PlaybackAudio>>();
  let nextPlayback = 1;
  const openPlayback = (stream: ReadableStream<PlaybackFrame | PlaybackAudio>): string => {
    const readerId = `playback-${nextPlayback++}`;
    playbackReaders.set(readerId, stream.getReader());
    return readerId;
  };

  const api: MediaWorkerApi = {
    open: (file: Blob, onProgress?: () => void) => service.open(file, onProgress),
    close: (mediaId: string) => service.close(mediaId),
    cancel: (jobId: string) => service.cancel(jobId),
    stats: () => service.stats(),
    skim: async (mediaId: string, options?: SkimOptions, jobId?: string, onProgress?: () => void) =>
      transferFrames(await service.skim(mediaId, options, jobId, onProgress)),
    extract: async (mediaId: string, options: ExtractOptions, jobId?: string, onProgress?: () => void) =>
      transferFrames(await service.extract(mediaId, options, jobId, onProgress)),
    audio: async (mediaId: string, window: TimeSpan, jobId?: string, onProgress?: () => void) => {
      const samples = await service.audio(mediaId, window, jobId, onProgress);
      return Comlink.transfer(samples, [samples.buffer]);
    },
    audioStream: (mediaId: string, window: TimeSpan, chunkSeconds?: number) => {
      const stream = service.audioStream(mediaId, window, chunkSeconds);
      return Comlink.transfer(stream, [stream as unknown as Transferable]);
    },
    openPlaybackFrames: (mediaId: string, start: number, maxSide: number) =>
      openPlayback(service.playbackFrames(mediaId, start, maxSide)),
    openPlaybackAudio: (mediaId: string, start: number) => openPlayback(service.playbackAudio(mediaId, start)),
    readPlayback: async (readerId: string) => {
      const reader = playbackReaders.get(readerId);
      if (!reader) return null;
      try {
        const { done, value } = await reader.read();
        if (!done) return Comlink.transfer(value, 'image' in value ? [value.image] : value.planes.map((plane) => plane.buffer));
      } catch (error) {
        playbackReaders.delete(readerId);
        throw error;
      }
      playbackReaders.delete(readerId);
      return null;
    },
    cancelPlayback: async (readerId: string) => {
      const reader = playbackReaders.get(readerId);
      playbackReaders.delete(readerId);
      await reader?.cancel();
    },
    frameAt: async (mediaId: string, time: number, maxSide: number, jobId?: string, onProgress?: () => void) => {
      const frame = await service.frameAt(mediaId, time, maxSide, jobId, onProgress);
      return Comlink.transfer(frame, [frame.image]);
    },
  };

  Comlink.expose(api);
}

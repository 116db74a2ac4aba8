/**
 * What `workers/media.worker.ts` exposes through comlink, declared here so the main-thread client
 * depends on this layer only (the worker implements it). Frames, samples and bitmaps in results
 * are transferred, not copied.
 */
import type { TimeSpan } from '../core/contracts';
import type { MediaStats } from './media-service';
import type { AudioChunk, ExtractOptions, Frame, PlaybackAudio, PlaybackFrame, ProbeResult, SkimOptions } from './types';

export interface MediaWorkerApi {
  /** `onProgress` (and each job's) is called, at most about once a second, while the job reads or decodes: for the client's stall watchdog. */
  open(file: Blob, onProgress?: () => void): Promise<{ mediaId: string; probe: ProbeResult }>;
  close(mediaId: string): void;
  cancel(jobId: string): void;
  stats(): MediaStats;
  skim(mediaId: string, options?: SkimOptions, jobId?: string, onProgress?: () => void): Promise<Frame[]>;
  extract(mediaId: string, options: ExtractOptions, jobId?: string, onProgress?: () => void): Promise<Frame[]>;
  audio(mediaId: string, window: TimeSpan, jobId?: string, onProgress?: () => void): Promise<Float32Array>;
  audioStream(mediaId: string, window: TimeSpan, chunkSeconds?: number): ReadableStream<AudioChunk>;
  openPlaybackFrames(mediaId: string, start: number, maxSide: number): string;
  openPlaybackAudio(mediaId: string, start: number): string;
  /** The next chunk of an open playback stream, or null at its end. */
  readPlayback(readerId: string): Promise<PlaybackFrame | PlaybackAudio | null>;
  /** Resolves once decoding has stopped and every frame of the stream is closed. */
  cancelPlayback(readerId: string): Promise<void>;
  frameAt(mediaId: string, time: number, maxSide: number, jobId?: string, onProgress?: () => void): Promise<PlaybackFrame>;
}

import * as Comlink from 'comlink';
import type { MediaWorkerApi } from './media-worker-api';
import type { MediaStats } from './media-service';
import { disposedError } from '../core/errors';
import { cancelOnAbort } from '../core/cancellation';
import { installAppErrorTransfer } from '../rpc/comlink-errors';
import type { AudioChunk, ExtractOptions, Frame, PlaybackAudio, PlaybackFrame, ProbeResult, SkimOptions } from './types';
import type { TimeSpan } from '../core/contracts';

export interface JobOptions {
  signal?: AbortSignal;
}

/**
 * Main-thread handle to the media worker. Decoding happens in the worker; this side only maps
 * AbortSignals to job cancellation and keeps the API typed.
 */
export class MediaClient {
  private readonly worker: Worker;
  private readonly remote: Comlink.Remote<MediaWorkerApi>;
  private nextJob = 1;
  private disposed = false;

  constructor() {
    installAppErrorTransfer();
    this.worker = new Worker(new URL('../../workers/media.worker.ts', import.meta.url), {
      type: 'module',
      name: 'media',
    });
    this.remote = Comlink.wrap<MediaWorkerApi>(this.worker);
  }

  /** Opens a local file (never uploaded, never read whole) and probes it. */
  async open(file: Blob): Promise<MediaFile> {
    if (this.disposed) throw disposedError('The media reader');
    const { mediaId, probe } = await this.remote.open(file);
    return new MediaFile(this, mediaId, probe);
  }

  stats(): Promise<MediaStats> {
    return this.remote.stats();
  }

  /** Ends the worker and every file opened through it; later calls reject with `disposed`. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  /** @internal */
  get api(): Comlink.Remote<MediaWorkerApi> {
    return this.remote;
  }

  /**
   * @internal A stream over a worker playback stream: each read fetches one chunk, so the worker
   * decodes only as fast as this is read. `discard` frees a chunk that arrives after cancelling.
   */
  pulledStream<T extends PlaybackFrame | PlaybackAudio>(opened: Promise<string>, discard: (chunk: T) => void): ReadableStream<T> {
    let cancelled = false;
    return new ReadableStream<T>(
      {
        start: async () => {
          await opened;
        },
        pull: async (stream) => {
          const chunk = (await this.remote.readPlayback(await opened)) as T | null;
          if (cancelled) {
            if (chunk) discard(chunk);
          } else if (chunk) stream.enqueue(chunk);
          else stream.close();
        },
        cancel: async () => {
          cancelled = true;
          // Cancelling can come before the worker has opened the stream; one that failed to open has nothing to stop.
          const readerId = await opened.catch(() => null);
          if (readerId) await this.remote.cancelPlayback(readerId);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** @internal Runs a worker job that is cancelled when `signal` aborts. */
  async job<T>(signal: AbortSignal | undefined, run: (jobId: string) => Promise<T>): Promise<T> {
    if (this.disposed) throw disposedError('The media reader');
    const jobId = `job-${this.nextJob++}`;
    return cancelOnAbort(signal, () => void this.remote.cancel(jobId), () => run(jobId));
  }
}

/** One opened file. */
export class MediaFile {
  constructor(
    private readonly client: MediaClient,
    readonly id: string,
    readonly probe: ProbeResult,
  ) {}

  private closing: Promise<void> | null = null;

  skim(options: SkimOptions = {}, { signal }: JobOptions = {}): Promise<Frame[]> {
    if (this.closing) return Promise.reject(disposedError('This file'));
    return this.client.job(signal, (jobId) => this.client.api.skim(this.id, options, jobId));
  }

  extract(options: ExtractOptions, { signal }: JobOptions = {}): Promise<Frame[]> {
    if (this.closing) return Promise.reject(disposedError('This file'));
    return this.client.job(signal, (jobId) => this.client.api.extract(this.id, options, jobId));
  }

  /** 16 kHz mono audio of a window of up to 30 minutes. */
  audio(window: TimeSpan, { signal }: JobOptions = {}): Promise<Float32Array> {
    if (this.closing) return Promise.reject(disposedError('This file'));
    return this.client.job(signal, (jobId) => this.client.api.audio(this.id, window, jobId));
  }

  /** 16 kHz mono audio of any window, in chunks, decoded only as fast as it is read. */
  async audioStream(window: TimeSpan, chunkSeconds = 30): Promise<ReadableStream<AudioChunk>> {
    this.guard();
    return this.client.api.audioStream(this.id, window, chunkSeconds);
  }

  /**
   * Frames to watch from `start` on, in presentation order, at most `maxSide` pixels on their
   * longest side (the first is the frame showing at `start`). Decoded as they are read; cancelling
   * resolves once the worker has stopped. The reader closes each image.
   */
  playbackFrames(start: number, maxSide: number): ReadableStream<PlaybackFrame> {
    this.guard();
    const opened = this.client.api.openPlaybackFrames(this.id, start, maxSide);
    return this.client.pulledStream<PlaybackFrame>(opened, (frame) => frame.image.close());
  }

  /** The frame showing at `time`, at most `maxSide` pixels on its longest side. The caller closes its image. */
  frameAt(time: number, maxSide: number, { signal }: JobOptions = {}): Promise<PlaybackFrame> {
    if (this.closing) return Promise.reject(disposedError('This file'));
    return this.client.job(signal, (jobId) => this.client.api.frameAt(this.id, time, maxSide, jobId));
  }

  /** Sound to listen to from `start` on, at the track's own rate and channels, decoded as it is read. */
  playbackAudio(start: number): ReadableStream<PlaybackAudio> {
    this.guard();
    return this.client.pulledStream<PlaybackAudio>(this.client.api.openPlaybackAudio(this.id, start), () => {});
  }

  /** The worker's counters (open files, frames not yet closed), e.g. for a leak check. */
  stats(): Promise<MediaStats> {
    return this.client.stats();
  }

  /** Frees the file in the worker; later calls reject with `disposed`. Idempotent. */
  dispose(): Promise<void> {
    this.closing ??= this.client.api.close(this.id);
    return this.closing;
  }

  private guard(): void {
    if (this.closing) throw disposedError('This file');
  }
}

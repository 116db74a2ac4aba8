import * as Comlink from 'comlink';
import type { MediaWorkerApi } from './media-worker-api';
import type { MediaStats } from './media-service';
import { disposedError, mediaRestartedError, mediaStallError, toAppError, type AppError, type MediaJob } from '../core/errors';
import { cancelOnAbort } from '../core/cancellation';
import { stallLimits, watchProgress } from '../core/watchdog';
import { installAppErrorTransfer } from '../rpc/comlink-errors';
import type { AudioChunk, ExtractOptions, Frame, PlaybackAudio, PlaybackFrame, ProbeResult, SkimOptions } from './types';
import type { TimeSpan } from '../core/contracts';

export interface JobOptions {
  signal?: AbortSignal;
}

type MediaRemote = Comlink.Remote<MediaWorkerApi>;

export interface MediaClientOptions {
  /** Starts a media worker (default: workers/media.worker.ts); a test passes one whose reads stall. */
  spawn?: () => Worker;
}

function spawnMediaWorker(): Worker {
  return new Worker(new URL('../../workers/media.worker.ts', import.meta.url), { type: 'module', name: 'media' });
}

/**
 * Main-thread handle to the media worker. Decoding happens in the worker; this side maps
 * AbortSignals to job cancellation, keeps the API typed, and watches every job for stalls: a job
 * whose file reads and decoding report no progress for the bounded time (core/watchdog.ts) fails
 * with a 'stalled' AppError and its worker is replaced, so the page stays usable and a retry
 * reads the file afresh (files opened on the old worker are opened again on first use).
 */
export class MediaClient {
  private worker!: Worker;
  private remote!: MediaRemote;
  /** Which worker is current: a file opened on an earlier one is opened again on this one. */
  private workerNumber = 0;
  /** Rejecters of calls running on the current worker, for when it is replaced. */
  private readonly pending = new Set<(error: AppError) => void>();
  private readonly spawnWorker: () => Worker;
  private nextJob = 1;
  private disposed = false;

  constructor(options: MediaClientOptions = {}) {
    installAppErrorTransfer();
    this.spawnWorker = options.spawn ?? spawnMediaWorker;
    this.spawn();
  }

  /** Opens a local file (never uploaded, never read whole) and probes it. */
  async open(file: Blob): Promise<MediaFile> {
    const opened = await this.openOnWorker(file);
    return new MediaFile(this, file, opened, opened.probe);
  }

  stats(): Promise<MediaStats> {
    return this.call((remote) => remote.stats());
  }

  /** Ends the worker and every file opened through it; later calls reject with `disposed`. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  /** @internal The current worker's number (see `workerNumber`). */
  get currentWorker(): number {
    return this.workerNumber;
  }

  /** @internal Opens `file` on the current worker, under the stall watchdog. */
  openOnWorker(file: Blob): Promise<WorkerFile & { probe: ProbeResult }> {
    const worker = this.workerNumber;
    return this.job('open', file, undefined, async (remote, _jobId, onProgress) => {
      const { mediaId, probe } = await remote.open(file, onProgress);
      return { id: mediaId, worker, probe };
    });
  }

  /**
   * @internal Runs a worker job under the stall watchdog (each report of the worker's progress
   * advances it), cancelled when `signal` aborts. On a stall the worker is replaced. `remote`
   * is the worker the job must run on (a playback stream's); a replaced one fails at once.
   */
  async job<T>(
    kind: MediaJob,
    file: Blob,
    signal: AbortSignal | undefined,
    run: (remote: MediaRemote, jobId: string, onProgress: () => void) => Promise<T>,
    remote: MediaRemote = this.remote,
  ): Promise<T> {
    if (this.disposed) throw disposedError('The media reader');
    const jobId = `job-${this.nextJob++}`;
    const name = file instanceof File && file.name ? file.name : undefined;
    // A replaced or disposed worker's proxy is released: there is nothing left to cancel on it.
    const cancel = (): void => {
      if (remote === this.remote && !this.disposed) void remote.cancel(jobId).catch(() => {});
    };
    return cancelOnAbort(signal, cancel, () =>
      watchProgress(
        {
          idleSeconds: stallLimits().mediaJobSeconds,
          stalled: (idle) => mediaStallError(idle, kind, name),
          onStall: () => this.replaceWorker(remote),
        },
        (advance) => this.untilReplaced(remote, () => run(remote, jobId, Comlink.proxy(advance))),
      ),
    );
  }

  /** @internal A call on the current worker that is not watched (quick bookkeeping, streams). */
  call<T>(run: (remote: MediaRemote) => Promise<T> | T): Promise<T> {
    if (this.disposed) return Promise.reject(disposedError('The media reader'));
    const remote = this.remote;
    return this.untilReplaced(remote, async () => run(remote));
  }

  /** @internal The current worker, for a playback stream opened on it. */
  get current(): MediaRemote {
    return this.remote;
  }

  /**
   * @internal A stream over a worker playback stream: each read fetches one chunk (watched: one
   * chunk must come within the stall bound), so the worker decodes only as fast as this is read.
   * `discard` frees a chunk that arrives after cancelling.
   */
  pulledStream<T extends PlaybackFrame | PlaybackAudio>(
    file: Blob,
    opened: Promise<{ readerId: string; remote: MediaRemote }>,
    discard: (chunk: T) => void,
  ): ReadableStream<T> {
    let cancelled = false;
    return new ReadableStream<T>(
      {
        start: async () => {
          await opened;
        },
        pull: async (stream) => {
          const { readerId, remote } = await opened;
          const chunk = (await this.job<PlaybackFrame | PlaybackAudio | null>('playback', file, undefined, (on) => on.readPlayback(readerId), remote)) as T | null;
          if (cancelled) {
            if (chunk) discard(chunk);
          } else if (chunk) stream.enqueue(chunk);
          else stream.close();
        },
        cancel: async () => {
          cancelled = true;
          // Cancelling can come before the worker has opened the stream; one that failed to open,
          // or whose worker was replaced, has nothing to stop.
          const reader = await opened.catch(() => null);
          if (reader && reader.remote === this.remote && !this.disposed) await reader.remote.cancelPlayback(reader.readerId);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private spawn(): void {
    this.worker = this.spawnWorker();
    this.remote = Comlink.wrap<MediaWorkerApi>(this.worker);
    this.workerNumber++;
  }

  /** Settles like `work`, or rejects as soon as `remote`'s worker is replaced (its calls would never settle). */
  private untilReplaced<T>(remote: MediaRemote, work: () => Promise<T>): Promise<T> {
    if (remote !== this.remote || this.disposed) return Promise.reject(this.disposed ? disposedError('The media reader') : mediaRestartedError());
    return new Promise<T>((resolve, reject) => {
      const fail = (error: AppError): void => {
        this.pending.delete(fail);
        reject(error);
      };
      this.pending.add(fail);
      work().then(
        (value) => {
          this.pending.delete(fail);
          resolve(value);
        },
        (error: unknown) => fail(toAppError(error)),
      );
    });
  }

  /** Ends a worker stuck in a stalled job and starts a fresh one; calls still running on it fail. */
  private replaceWorker(remote: MediaRemote): void {
    if (this.remote !== remote || this.disposed) return;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    for (const fail of [...this.pending]) fail(mediaRestartedError());
    this.spawn();
  }
}

/** Where a file is open: its id on one worker. */
interface WorkerFile {
  id: string;
  worker: number;
}

/** One opened file. */
export class MediaFile {
  private where: WorkerFile;
  private reopening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly client: MediaClient,
    private readonly blob: Blob,
    where: WorkerFile,
    readonly probe: ProbeResult,
  ) {
    this.where = { id: where.id, worker: where.worker };
  }

  skim(options: SkimOptions = {}, { signal }: JobOptions = {}): Promise<Frame[]> {
    return this.run('skim', signal, (remote, id, jobId, onProgress) => remote.skim(id, options, jobId, onProgress));
  }

  extract(options: ExtractOptions, { signal }: JobOptions = {}): Promise<Frame[]> {
    return this.run('frames', signal, (remote, id, jobId, onProgress) => remote.extract(id, options, jobId, onProgress));
  }

  /** 16 kHz mono audio of a window of up to 30 minutes. */
  audio(window: TimeSpan, { signal }: JobOptions = {}): Promise<Float32Array> {
    return this.run('audio', signal, (remote, id, jobId, onProgress) => remote.audio(id, window, jobId, onProgress));
  }

  /** 16 kHz mono audio of any window, in chunks, decoded only as fast as it is read. */
  async audioStream(window: TimeSpan, chunkSeconds = 30): Promise<ReadableStream<AudioChunk>> {
    this.guard();
    const id = await this.idNow();
    return this.client.call((remote) => remote.audioStream(id, window, chunkSeconds));
  }

  /**
   * Frames to watch from `start` on, in presentation order, at most `maxSide` pixels on their
   * longest side (the first is the frame showing at `start`). Decoded as they are read; cancelling
   * resolves once the worker has stopped. The reader closes each image.
   */
  playbackFrames(start: number, maxSide: number): ReadableStream<PlaybackFrame> {
    this.guard();
    const opened = this.openPlayback((remote, id) => remote.openPlaybackFrames(id, start, maxSide));
    return this.client.pulledStream<PlaybackFrame>(this.blob, opened, (frame) => frame.image.close());
  }

  /** The frame showing at `time`, at most `maxSide` pixels on its longest side. The caller closes its image. */
  frameAt(time: number, maxSide: number, { signal }: JobOptions = {}): Promise<PlaybackFrame> {
    return this.run('frame', signal, (remote, id, jobId, onProgress) => remote.frameAt(id, time, maxSide, jobId, onProgress));
  }

  /** Sound to listen to from `start` on, at the track's own rate and channels, decoded as it is read. */
  playbackAudio(start: number): ReadableStream<PlaybackAudio> {
    this.guard();
    const opened = this.openPlayback((remote, id) => remote.openPlaybackAudio(id, start));
    return this.client.pulledStream<PlaybackAudio>(this.blob, opened, () => {});
  }

  /** The worker's counters (open files, frames not yet closed), e.g. for a leak check. */
  stats(): Promise<MediaStats> {
    return this.client.stats();
  }

  /** Frees the file in the worker; later calls reject with `disposed`. Idempotent. */
  dispose(): Promise<void> {
    this.closing ??= (async () => {
      await this.reopening?.catch(() => {});
      // A file whose worker was replaced is open nowhere.
      if (this.where.worker === this.client.currentWorker) await this.client.call((remote) => remote.close(this.where.id));
    })();
    return this.closing;
  }

  private async run<T>(
    kind: MediaJob,
    signal: AbortSignal | undefined,
    work: (remote: MediaRemote, id: string, jobId: string, onProgress: () => void) => Promise<T>,
  ): Promise<T> {
    this.guard();
    const id = await this.idNow();
    return this.client.job(kind, this.blob, signal, (remote, jobId, onProgress) => work(remote, id, jobId, onProgress));
  }

  private async openPlayback(open: (remote: MediaRemote, id: string) => Promise<string>): Promise<{ readerId: string; remote: MediaRemote }> {
    const id = await this.idNow();
    const remote = this.client.current;
    return { readerId: await this.client.call(() => open(remote, id)), remote };
  }

  /** The file's id on the current worker: a file opened on a worker since replaced is opened again there. */
  private async idNow(): Promise<string> {
    if (this.where.worker !== this.client.currentWorker) {
      this.reopening ??= this.client
        .openOnWorker(this.blob)
        .then(({ id, worker }) => {
          this.where = { id, worker };
        })
        .finally(() => {
          this.reopening = null;
        });
      await this.reopening;
    }
    return this.where.id;
  }

  private guard(): void {
    if (this.closing) throw disposedError('This file');
  }
}

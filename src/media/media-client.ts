import * as Comlink from 'comlink';
import type { MediaWorkerApi } from '../../workers/media.worker';
import { cancelledError } from '../errors';
import { installAppErrorTransfer } from '../rpc/comlink-errors';
import type { AudioChunk, AudioWindow, ExtractOptions, Frame, ProbeResult, SkimOptions } from './types';

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
    const { mediaId, probe } = await this.remote.open(file);
    return new MediaFile(this, mediaId, probe);
  }

  stats() {
    return this.remote.stats();
  }

  dispose(): void {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  /** @internal */
  get api(): Comlink.Remote<MediaWorkerApi> {
    return this.remote;
  }

  /** @internal Runs a worker job that is cancelled when `signal` aborts. */
  async job<T>(signal: AbortSignal | undefined, run: (jobId: string) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw cancelledError();
    const jobId = `job-${this.nextJob++}`;
    const onAbort = () => void this.remote.cancel(jobId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run(jobId);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** One opened file. */
export class MediaFile {
  constructor(
    private readonly client: MediaClient,
    readonly id: string,
    readonly probe: ProbeResult,
  ) {}

  skim(options: SkimOptions = {}, { signal }: JobOptions = {}): Promise<Frame[]> {
    return this.client.job(signal, (jobId) => this.client.api.skim(this.id, options, jobId));
  }

  extract(options: ExtractOptions, { signal }: JobOptions = {}): Promise<Frame[]> {
    return this.client.job(signal, (jobId) => this.client.api.extract(this.id, options, jobId));
  }

  /** 16 kHz mono audio of a window of up to 30 minutes. */
  audio(window: AudioWindow, { signal }: JobOptions = {}): Promise<Float32Array> {
    return this.client.job(signal, (jobId) => this.client.api.audio(this.id, window, jobId));
  }

  /** 16 kHz mono audio of any window, in chunks, decoded only as fast as it is read. */
  async audioStream(window: AudioWindow, chunkSeconds = 30): Promise<ReadableStream<AudioChunk>> {
    return this.client.api.audioStream(this.id, window, chunkSeconds);
  }

  close(): Promise<void> {
    return this.client.api.close(this.id);
  }
}
